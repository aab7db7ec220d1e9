//! Shared helpers live in tests/e2e/support.rs.
