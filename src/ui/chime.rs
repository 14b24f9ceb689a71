//! The chime that confirms a camera read: a shopper holding a shoe up to the camera is looking
//! at the tag, not at the screen. Played on its own thread, so a slow or missing sound device
//! never holds up the UI; with no device (or without the `sound` feature) the kiosk is silent
//! and says why once in its log.

use std::sync::mpsc;
use std::time::Duration;

/// Sends "play" to the chime thread; cheap to clone and to call from the UI thread.
#[derive(Debug, Clone, Default)]
pub struct Chime {
    to_player: Option<mpsc::Sender<()>>,
}

/// The two rising notes of a read, in Hz, and how long each lasts: short enough to not be
/// annoying on the tenth scan, distinct from a shop's till beep.
pub const NOTES: [(f32, Duration); 2] = [
    (1046.5, Duration::from_millis(70)),
    (1568.0, Duration::from_millis(110)),
];

impl Chime {
    /// A chime that plays nothing (tests, `read_sound = false`).
    pub fn silent() -> Self {
        Self::default()
    }

    /// Starts the chime thread at `volume` (0.0-1.0). The sound device is opened there.
    pub fn start(volume: f64) -> Self {
        #[cfg(feature = "sound")]
        {
            let (to_player, requests) = mpsc::channel();
            let spawned = std::thread::Builder::new()
                .name("chime".into())
                .spawn(move || player::run(requests, volume as f32));
            match spawned {
                Ok(_) => Self {
                    to_player: Some(to_player),
                },
                Err(e) => {
                    tracing::warn!(error = %e, "read chime disabled: cannot start its thread");
                    Self::silent()
                }
            }
        }
        #[cfg(not(feature = "sound"))]
        {
            let _ = volume;
            tracing::info!("read chime disabled: built without the `sound` feature");
            Self::silent()
        }
    }

    /// Plays the chime (or nothing); never blocks.
    pub fn play(&self) {
        if let Some(to_player) = &self.to_player {
            // A closed channel means the device could not be opened: silence is the fallback.
            let _ = to_player.send(());
        }
    }
}

#[cfg(feature = "sound")]
pub mod player {
    use std::sync::mpsc;
    use std::time::Duration;

    use rodio::Source;
    use rodio::source::SineWave;

    /// The chime as samples: each note fades in and out (no clicks), scaled to `volume`.
    pub fn tone(volume: f32) -> impl Source + Send + 'static {
        let [(first, first_len), (second, second_len)] = super::NOTES;
        let note = |freq: f32, len: Duration| {
            let fade = Duration::from_millis(10);
            SineWave::new(freq)
                .take_duration(len)
                .fade_in(fade)
                .amplify(volume.clamp(0.0, 1.0))
        };
        note(first, first_len).mix(note(second, second_len).delay(first_len))
    }

    pub(super) fn run(requests: mpsc::Receiver<()>, volume: f32) {
        let mut sink = match rodio::DeviceSinkBuilder::open_default_sink() {
            Ok(sink) => sink,
            Err(e) => {
                tracing::warn!(error = %e, "read chime disabled: no sound output");
                return;
            }
        };
        sink.log_on_drop(false);
        tracing::info!("read chime ready");
        while requests.recv().is_ok() {
            // Reads that queued up while one chime played are one chime, not a burst.
            while requests.try_recv().is_ok() {}
            sink.mixer().add(tone(volume));
        }
    }
}

#[cfg(all(test, feature = "sound"))]
mod tests {
    use rodio::Source;

    #[test]
    fn the_chime_is_two_notes_short_and_never_louder_than_asked() {
        let tone = super::player::tone(0.3);
        let rate = tone.sample_rate().get() as f32;
        let channels = f32::from(tone.channels().get());
        let samples: Vec<f32> = tone.collect();
        let seconds = samples.len() as f32 / rate / channels;
        assert!((0.17..0.19).contains(&seconds), "lasts {seconds} s");
        let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak <= 0.3 + 1e-3 && peak > 0.25, "peak {peak}");
        // Faded in: no click at the start.
        assert!(samples[0].abs() < 0.01);
    }

    #[test]
    fn playing_without_a_sound_device_is_silent_and_harmless() {
        let chime = super::Chime::start(0.5);
        for _ in 0..100 {
            chime.play();
        }
        super::Chime::silent().play();
    }
}
