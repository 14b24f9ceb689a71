//! Tools for developers, not for the kiosk's work: large generated data sets for the
//! benchmarks (`kiosk bench-data`) and a generated warehouse catalog.

pub mod bench_data;
pub mod corpus;
pub mod pg_cluster;
pub mod warehouse_data;
