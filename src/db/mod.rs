//! Database access: the connection pool, embedded migrations, finding or starting a server.

pub mod clock;
pub mod filters;
pub mod functions;
pub mod keyset;
pub mod local;
pub mod migrate;
pub mod money;
pub mod pool;
pub mod quarter;
pub mod schema;
pub mod text_enum;

pub use pool::{DbConn, DbPool, QueryCounter, build_counted_pool, build_pool};
