//! The manager PIN: stored only as an Argon2id hash (PHC string) named by `kiosk.toml`, checked
//! behind a gate that locks for longer after each run of wrong guesses.

use std::path::Path;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::config::{Manager, SecretSource, read_secret};

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PinError {
    #[error("a PIN is 4 to 12 digits, nothing else")]
    Malformed,
    #[error("the manager PIN hash is not an Argon2 hash (make one with `kiosk manager set-pin`)")]
    BadHash,
    #[error("no manager PIN is set: run `kiosk manager set-pin`")]
    NotSet,
    #[error("cannot read the manager PIN hash: {0}")]
    Unreadable(String),
}

/// 4 to 12 digits: typed on the on-screen keypad, so digits only.
pub fn check_format(pin: &str) -> Result<(), PinError> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::Malformed)
    }
}

/// Argon2id with the crate's default (OWASP-recommended) cost and a fresh random salt.
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    check_format(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PinError::BadHash)
}

/// True when `pin` matches `hash`; a malformed hash is an error, not a "no".
pub fn verify_pin(pin: &str, hash: &str) -> Result<bool, PinError> {
    let parsed = PasswordHash::new(hash).map_err(|_| PinError::BadHash)?;
    Ok(Argon2::default()
        .verify_password(pin.as_bytes(), &parsed)
        .is_ok())
}

/// Reads the hash where the config says (env var first, then file relative to `base_dir`).
pub fn configured_hash(manager: &Manager, base_dir: &Path) -> Result<String, PinError> {
    let file = if manager.pin_hash_file.as_os_str().is_empty() {
        manager.pin_hash_file.clone()
    } else {
        base_dir.join(&manager.pin_hash_file)
    };
    let from_env = read_secret(&SecretSource::new(&manager.pin_hash_env, Path::new("")))
        .map_err(|e| PinError::Unreadable(e.to_string()))?;
    if let Some(hash) = from_env {
        return Ok(hash);
    }
    match read_secret(&SecretSource::new("", &file)) {
        Ok(Some(hash)) => Ok(hash),
        Ok(None) => Err(PinError::NotSet),
        Err(e) if file.exists() => Err(PinError::Unreadable(e.to_string())),
        Err(_) => Err(PinError::NotSet),
    }
}

/// What the gate says to a PIN attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Wrong; `left` more tries before the gate locks.
    Rejected {
        left: u32,
    },
    /// Locked (now, or by this attempt) for this long.
    Locked {
        remaining: Duration,
    },
}

/// What survives a restart: pulling the plug must not reset a lockout.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GateState {
    pub failures: u32,
    pub lockouts: u32,
    /// When the current lockout ends (RFC 3339), if locked.
    pub locked_until: Option<String>,
}

/// The key the gate's state is stored under in the kiosk database.
pub const GATE_STATE_KEY: &str = "manager_pin_gate";

/// Counts wrong PINs. After `max_attempts` in a row it locks for `lockout`, doubling with every
/// further lockout (capped at a day) until a right PIN resets it.
#[derive(Debug, Clone)]
pub struct PinGate {
    max_attempts: u32,
    lockout: Duration,
    failures: u32,
    lockouts: u32,
    locked_until: Option<Instant>,
}

const MAX_LOCKOUT: Duration = Duration::from_secs(24 * 3600);

impl PinGate {
    pub fn new(config: &Manager) -> Self {
        Self {
            max_attempts: config.max_attempts.max(1),
            lockout: config.lockout_s,
            failures: 0,
            lockouts: 0,
            locked_until: None,
        }
    }

    /// The gate as it stands, with the lockout's end as wall-clock time.
    pub fn state(&self, now: Instant) -> GateState {
        GateState {
            failures: self.failures,
            lockouts: self.lockouts,
            locked_until: self.locked_for(now).and_then(|left| {
                let left = jiff::SignedDuration::try_from(left).ok()?;
                jiff::Timestamp::now()
                    .checked_add(left)
                    .ok()
                    .map(|t| t.to_string())
            }),
        }
    }

    /// A gate continuing from `state` (a lockout that ended while the kiosk was off is over).
    pub fn restore(config: &Manager, state: &GateState, now: Instant) -> Self {
        let mut gate = Self::new(config);
        gate.failures = state.failures;
        gate.lockouts = state.lockouts;
        gate.locked_until = state
            .locked_until
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .and_then(|until| {
                let left = until.duration_since(jiff::Timestamp::now());
                (left.is_positive()).then(|| now + left.unsigned_abs())
            });
        gate
    }

    /// How long the gate stays locked, if it is.
    pub fn locked_for(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// Records the outcome of a check made elsewhere (the hash is slow on purpose, so the UI
    /// runs it off its thread): `matched` is what [`verify_pin`] said.
    pub fn record(&mut self, now: Instant, matched: bool) -> Verdict {
        if let Some(remaining) = self.locked_for(now) {
            return Verdict::Locked { remaining };
        }
        if matched {
            self.failures = 0;
            self.lockouts = 0;
            self.locked_until = None;
            return Verdict::Accepted;
        }
        self.failures += 1;
        if self.failures < self.max_attempts {
            return Verdict::Rejected {
                left: self.max_attempts - self.failures,
            };
        }
        self.failures = 0;
        let factor = 2u32.saturating_pow(self.lockouts.min(16));
        let remaining = self.lockout.saturating_mul(factor).min(MAX_LOCKOUT);
        self.lockouts += 1;
        self.locked_until = Some(now + remaining);
        Verdict::Locked { remaining }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(max: u32, lockout_s: u64) -> PinGate {
        PinGate::new(&Manager {
            max_attempts: max,
            lockout_s: Duration::from_secs(lockout_s),
            ..Manager::default()
        })
    }

    #[test]
    fn a_hashed_pin_verifies_and_a_wrong_one_does_not() {
        let hash = hash_pin("2468").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("2468"));
        assert!(verify_pin("2468", &hash).unwrap());
        assert!(!verify_pin("2469", &hash).unwrap());
        // Same PIN, fresh salt: a different hash.
        assert_ne!(hash, hash_pin("2468").unwrap());
    }

    #[test]
    fn pins_are_four_to_twelve_digits_and_hashes_must_be_argon2() {
        for bad in ["", "123", "12a4", "1234567890123", "12 34"] {
            assert_eq!(hash_pin(bad), Err(PinError::Malformed), "{bad:?}");
        }
        assert_eq!(verify_pin("1234", "1234"), Err(PinError::BadHash));
    }

    #[test]
    fn wrong_pins_lock_the_gate_for_longer_each_time() {
        let mut g = gate(3, 60);
        let t0 = Instant::now();
        assert_eq!(g.record(t0, false), Verdict::Rejected { left: 2 });
        assert_eq!(g.record(t0, false), Verdict::Rejected { left: 1 });
        assert_eq!(
            g.record(t0, false),
            Verdict::Locked {
                remaining: Duration::from_secs(60)
            }
        );
        // Even the right PIN is refused while locked.
        let t1 = t0 + Duration::from_secs(30);
        assert_eq!(
            g.record(t1, true),
            Verdict::Locked {
                remaining: Duration::from_secs(30)
            }
        );
        // Unlocked, three more wrong: twice as long.
        let t2 = t0 + Duration::from_secs(61);
        assert!(g.locked_for(t2).is_none());
        g.record(t2, false);
        g.record(t2, false);
        assert_eq!(
            g.record(t2, false),
            Verdict::Locked {
                remaining: Duration::from_secs(120)
            }
        );
        // A right PIN after the lock resets everything.
        let t3 = t2 + Duration::from_secs(121);
        assert_eq!(g.record(t3, true), Verdict::Accepted);
        g.record(t3, false);
        g.record(t3, false);
        assert_eq!(
            g.record(t3, false),
            Verdict::Locked {
                remaining: Duration::from_secs(60)
            }
        );
    }

    #[test]
    fn a_lockout_survives_a_restart_and_one_that_ended_meanwhile_does_not() {
        let mut g = gate(1, 600);
        let t0 = Instant::now();
        g.record(t0, false);
        let saved = g.state(t0);
        assert_eq!(saved.lockouts, 1);
        assert!(saved.locked_until.is_some());
        // Through JSON, as stored.
        let text = serde_json::to_string(&saved).unwrap();
        let back: GateState = serde_json::from_str(&text).unwrap();
        let config = Manager {
            max_attempts: 1,
            lockout_s: Duration::from_secs(600),
            ..Manager::default()
        };
        let restored = PinGate::restore(&config, &back, Instant::now());
        let left = restored.locked_for(Instant::now()).unwrap();
        assert!(left > Duration::from_secs(590), "{left:?}");
        // The next lockout is longer: the count was kept.
        let ended = GateState {
            locked_until: Some("2020-01-01T00:00:00Z".into()),
            ..back
        };
        let mut restored = PinGate::restore(&config, &ended, Instant::now());
        assert!(restored.locked_for(Instant::now()).is_none());
        assert_eq!(
            restored.record(Instant::now(), false),
            Verdict::Locked {
                remaining: Duration::from_secs(1200)
            }
        );
    }

    #[test]
    fn lockouts_stop_growing_at_a_day() {
        let mut g = gate(1, 3600);
        let mut now = Instant::now();
        let mut last = Duration::ZERO;
        for _ in 0..10 {
            if let Verdict::Locked { remaining } = g.record(now, false) {
                last = remaining;
                now += remaining + Duration::from_secs(1);
            }
        }
        assert_eq!(last, MAX_LOCKOUT);
    }

    #[test]
    fn the_hash_comes_from_the_env_var_or_the_file_and_not_set_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let manager = Manager {
            pin_hash_env: "KIOSK_TEST_PIN_HASH_UNSET_VAR".into(),
            pin_hash_file: "pin.hash".into(),
            ..Manager::default()
        };
        assert_eq!(configured_hash(&manager, dir.path()), Err(PinError::NotSet));
        std::fs::write(dir.path().join("pin.hash"), "$argon2id$x\n").unwrap();
        assert_eq!(
            configured_hash(&manager, dir.path()).unwrap(),
            "$argon2id$x"
        );
    }
}
