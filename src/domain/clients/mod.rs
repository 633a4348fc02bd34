//! API clients: other government systems calling with the client-credentials grant.

pub mod store;
