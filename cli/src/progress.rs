//! A progress bar on standard error for long work, drawn only when standard error is a
//! terminal (indicatif hides it otherwise).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Jobs smaller than this finish before a bar is worth drawing.
const MIN_LEN: u64 = 64 << 20;

/// A bar for `len` bytes of input (hidden for short or unknown lengths).
pub(crate) fn bar(len: Option<u64>, what: &'static str) -> ProgressBar {
    match len {
        Some(len) if len >= MIN_LEN => {
            let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            ) {
                pb.set_style(style.progress_chars("=> "));
            }
            pb.set_message(what);
            pb
        }
        _ => ProgressBar::hidden(),
    }
}
