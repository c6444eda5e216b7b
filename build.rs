// The playground in static/ is compiled into the binary (src/api/playground.rs). The embedding
// macro sees only the files that existed when it last ran, so a file added there must rebuild
// the crate: cargo watches the whole directory for that.
fn main() {
    println!("cargo:rerun-if-changed=static");
}
