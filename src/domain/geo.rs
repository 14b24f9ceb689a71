//! Where stores are, and how far apart: enough to say "2.1 km" on a size tile and to keep a
//! store across the country out of "pick up today". Great-circle distance from coordinates the
//! chain configures; no map service is asked.

use serde::{Deserialize, Serialize};

/// A point on the earth, degrees (WGS 84, as a phone's map gives them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
}

/// Mean earth radius, km (IUGG): the haversine formula's sphere.
const EARTH_RADIUS_KM: f64 = 6371.0088;

impl Position {
    /// A position from coordinates that may be absent or nonsense (a warehouse's answer, a
    /// hand-edited file): `None` unless both are finite and on the globe.
    pub fn checked(latitude: Option<f64>, longitude: Option<f64>) -> Option<Self> {
        let (latitude, longitude) = (latitude?, longitude?);
        ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)).then_some(
            Self {
                latitude,
                longitude,
            },
        )
    }

    /// Great-circle distance, km (haversine; within 0.5 % of the ellipsoid, plenty for "how
    /// far is the other store").
    pub fn distance_km(self, other: Self) -> f64 {
        let (lat1, lat2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.longitude - self.longitude).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(latitude: f64, longitude: f64) -> Position {
        Position {
            latitude,
            longitude,
        }
    }

    #[test]
    fn distances_match_known_ones() {
        // Madrid (Puerta del Sol) to Barcelona (Plaça de Catalunya): 505 km as the crow flies.
        let d = at(40.4168, -3.7038).distance_km(at(41.3870, 2.1701));
        assert!((d - 505.0).abs() < 3.0, "{d}");
        // One degree of latitude is 111.2 km on the mean sphere.
        let d = at(10.0, 20.0).distance_km(at(11.0, 20.0));
        assert!((d - 111.2).abs() < 0.1, "{d}");
        assert_eq!(at(40.0, -3.0).distance_km(at(40.0, -3.0)), 0.0);
        // Across the date line, the short way round.
        let d = at(0.0, 179.5).distance_km(at(0.0, -179.5));
        assert!((d - 111.2).abs() < 0.1, "{d}");
        // Antipodes: half the circumference, without NaN from rounding.
        let d = at(0.0, 0.0).distance_km(at(0.0, 180.0));
        assert!((d - 20015.1).abs() < 1.0, "{d}");
    }

    #[test]
    fn only_coordinates_on_the_globe_make_a_position() {
        assert!(Position::checked(Some(40.4), Some(-3.7)).is_some());
        assert!(Position::checked(None, Some(-3.7)).is_none());
        assert!(Position::checked(Some(91.0), Some(0.0)).is_none());
        assert!(Position::checked(Some(0.0), Some(-180.5)).is_none());
        assert!(Position::checked(Some(f64::NAN), Some(0.0)).is_none());
        assert!(Position::checked(Some(0.0), Some(f64::INFINITY)).is_none());
    }
}
