//! The built-in policies are the binaries under `src/bin/`, one WASI command each.
