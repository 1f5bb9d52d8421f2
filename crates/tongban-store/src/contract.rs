//! The store contract: behaviour both backends must show. The integration test binary runs
//! every function here against a fresh SQLite file and a fresh PostgreSQL database.
//! Each function panics on the first broken promise, naming it.
