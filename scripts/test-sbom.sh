#!/usr/bin/env bash
# The SBOM of printseal built as a dependency (issue 8, item 4): a consumer crate with
# printseal's `aws-lc-rs,parallel` features, built with CARGO_TARGET_DIR inside an
# unrelated workspace, must embed the consumer's exact resolution. The test compiles
# aws-lc-sys once in target/sbom-consumer/ (about a minute on 2 cores, dev profile,
# no debug info); later runs are incremental. Usage: scripts/test-sbom.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --test sbom -- --ignored --nocapture \
  sbom_of_a_dependent_build_whose_target_dir_is_in_an_unrelated_workspace
