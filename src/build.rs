//! Build script: `embed_migrations!` reads `migrations/` at compile time, but cargo does not know
//! that; without this, a new migration alone left the previous set embedded in the binary.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
