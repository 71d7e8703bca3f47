//! Test support (the reference service lives here).
