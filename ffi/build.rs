//! The one job of this build script besides the version string: give the shared
//! library its SONAME when it is built with plain `cargo build` (cargo-c, which sets
//! the `capi` feature, sets the SONAME itself).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_CAPI");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let major = version.split('.').next().unwrap_or("0").to_string();
    let backend = if std::env::var_os("CARGO_FEATURE_AWS_LC_RS").is_some() {
        "aws-lc-rs"
    } else {
        "rustcrypto"
    };
    println!("cargo:rustc-env=PRINTSEAL_FFI_VERSION_STRING=printseal-ffi/{version}/{backend}");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if std::env::var_os("CARGO_FEATURE_CAPI").is_none() && target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libprintseal.so.{major}");
    }
}
