//! # storeboard-benches
//!
//! Benchmarks of the engine, measured against stock `actix_web::HttpServer` in the same run
//! (the run commands are in each bench's header comment). The library holds what the benches
//! share:
//!
//! - [`load`] — a small keep-alive HTTP/1.1 load generator: [`load::LoadConfig`] in,
//!   [`load::RoundStats`] (requests, req/s, p50/p99, failures) out.
//! - [`response`] — the response-head parser it reads with: status and `Content-Length` only.
//! - [`cpu`] — how much CPU other processes took during a round (Linux `/proc`), so a round
//!   disturbed by, say, a build running beside it can be told apart.

pub mod cpu;
pub mod load;
pub mod response;
