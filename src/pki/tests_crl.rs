//! CRL unit tests.
