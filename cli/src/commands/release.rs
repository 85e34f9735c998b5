//! `printseal release`: open a held job and submit its plaintext to a CUPS queue
//! through `lp`, streamed; or list the held jobs.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::cli::ReleaseArgs;
use crate::commands::inspect::header_json;
use crate::commands::open::{open_reader, stream};
use crate::commands::verify::private_json;
use crate::error::{CliError, Family, Result};
use crate::files::{open_input, sync_dir_of};
use crate::keys::{AnyIdentity, read_identities};
use crate::time::format_time;

pub(crate) fn run(args: &ReleaseArgs) -> Result<()> {
    if let Some(dir) = &args.list {
        return list(dir, args);
    }
    let (Some(held), Some(queue)) = (&args.held, &args.to) else {
        return Err(
            CliError::usage("release needs HELD_FILE and --to QUEUE").with_remedy(
                "pass `printseal release HELD_FILE -i IDENTITY --to QUEUE`, or --list DIR",
            ),
        );
    };
    let ids = read_identities(&args.ids)?;
    let options = crate::policy::options(&args.policy)?;
    let input = open_input(Some(held))?;
    let name = input.name.clone();
    let mut reader = open_reader(input, &ids, &options)?;
    let private = reader.private_metadata();
    let title = private
        .get("title")
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .or_else(|| reader.header().public_metadata().job_id.clone())
        .unwrap_or_else(|| name.clone());

    // The job is submitted held (`-H hold`) and released only once every chunk has
    // authenticated: a job that fails part-way is cancelled, and CUPS never prints a
    // partial one.
    let mut lp = Command::new(&args.lp);
    lp.arg("-d")
        .arg(queue)
        .arg("-t")
        .arg(&title)
        .args(["-H", "hold"]);
    let mut child = lp
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            CliError::io(&format!("running {}", args.lp.display()), &e)
                .with_remedy("install the CUPS client (lp), or pass --lp PATH")
        })?;
    let Some(stdin) = child.stdin.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(CliError::new(Family::Internal, "no pipe to lp"));
    };
    let pb = indicatif::ProgressBar::hidden();
    let mut pipe = Pipe {
        inner: stdin,
        failed: false,
    };
    let streamed = stream(&mut reader, &mut pipe, &name, &pb);
    let lp_broke = pipe.failed;
    drop(pipe);
    let out = child
        .wait_with_output()
        .map_err(|e| CliError::io(&format!("waiting for {}", args.lp.display()), &e))?;
    let request = request_id(&String::from_utf8_lossy(&out.stdout));
    if let Err(e) = streamed {
        if lp_broke {
            return Err(lp_failed(queue, &out.status.to_string()));
        }
        // The held job has the authenticated chunks before the failure: cancel it.
        let cancelled = request
            .as_deref()
            .is_some_and(|id| run_ok(Command::new(sibling(&args.lp, "cancel")).arg(id)));
        let what = match (&request, cancelled) {
            (Some(id), true) => format!("The held CUPS job {id} was cancelled, nothing printed"),
            (Some(id), false) => format!("Cancel the held CUPS job {id} (`cancel {id}`)"),
            (None, _) => "Nothing was released".to_owned(),
        };
        return Err(CliError {
            remedy: Some(format!(
                "{} {what}; the sealed file is kept.",
                e.remedy.clone().unwrap_or_default()
            )),
            ..e
        });
    }
    if !out.status.success() {
        return Err(lp_failed(queue, &out.status.to_string()));
    }
    let Some(request) = request else {
        return Err(CliError::new(
            Family::Command,
            format!("lp gave no request id for queue {queue}"),
        )
        .with_remedy("release the held job with `lp -i ID -H resume`; the sealed file is kept"));
    };
    if !run_ok(Command::new(&args.lp).args(["-i", &request, "-H", "resume"])) {
        return Err(CliError::new(
            Family::Command,
            format!("lp could not resume the held job {request}"),
        )
        .with_remedy(format!(
            "resume it with `lp -i {request} -H resume`; the sealed file is kept"
        )));
    }
    fs::remove_file(held)
        .and_then(|()| sync_dir_of(held))
        .map_err(|e| {
            CliError::io(&format!("removing {} after release", held.display()), &e)
                .with_remedy("the job was submitted; remove the sealed file by hand")
        })?;
    if args.json {
        println!(
            "{}",
            json!({ "released": name, "queue": queue, "lp": request })
        );
    } else {
        println!("released {name} to {queue}: {request}");
    }
    Ok(())
}

/// `outq-3` from lp's "request id is outq-3 (1 file(s))".
fn request_id(out: &str) -> Option<String> {
    let rest = out.split("request id is ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// `cancel` beside `lp` when lp was given as a path, else from PATH.
fn sibling(lp: &Path, name: &str) -> PathBuf {
    match lp.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(name),
        _ => PathBuf::from(name),
    }
}

fn run_ok(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn lp_failed(queue: &str, status: &str) -> CliError {
    CliError::new(
        Family::Command,
        format!("lp refused the job for queue {queue} ({status})"),
    )
    .with_remedy(
        "check the queue with `lpstat -p QUEUE` (and CUPS_SERVER); the sealed file is kept",
    )
}

/// The pipe to lp, remembering whether a write to it failed.
struct Pipe {
    inner: std::process::ChildStdin,
    failed: bool,
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.failed |= r.is_err();
        r
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn held_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = fs::read_dir(dir).map_err(|e| CliError::io(&dir.display().to_string(), &e))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn list(dir: &Path, args: &ReleaseArgs) -> Result<()> {
    let ids: Vec<AnyIdentity> = if args.ids.identities.is_empty() {
        Vec::new()
    } else {
        read_identities(&args.ids)?
    };
    let options = printseal::OpenOptions::new()
        .policy(crate::policy::build(&args.policy)?.allow_expired(true));
    let mut jobs: Vec<Value> = Vec::new();
    for path in held_files(dir)? {
        let Ok(mut f) = fs::File::open(&path) else {
            continue;
        };
        let Ok(header) = printseal::io::read_header(&mut f) else {
            continue;
        };
        let mut v = json!({ "path": path.display().to_string(), "header": header_json(&header) });
        if !ids.is_empty() {
            match open_input(Some(&path)).and_then(|i| open_reader(i, &ids, &options)) {
                Ok(r) => v["private_metadata"] = private_json(r.private_metadata()),
                Err(e) => v["locked"] = json!(e.message),
            }
        }
        jobs.push(v);
    }
    if args.json {
        println!(
            "{}",
            json!({ "dir": dir.display().to_string(), "jobs": jobs })
        );
        return Ok(());
    }
    for j in &jobs {
        let h = &j["header"];
        let s = |v: &Value| v.as_str().unwrap_or("-").to_owned();
        let created = h["created"]
            .as_u64()
            .map_or_else(|| "-".into(), format_time);
        let mut line = format!(
            "{}\t{}\t{}\t{}",
            s(&j["path"]),
            s(&h["job_id"]),
            s(&h["content_type"]),
            created
        );
        if let Some(p) = j.get("private_metadata") {
            line.push_str(&format!("\t{}\t{}", s(&p["title"]), s(&p["owner"])));
        } else if j.get("locked").is_some() {
            line.push_str("\t(no identity opens it)");
        }
        println!("{line}");
    }
    let _ = std::io::stdout().flush();
    Ok(())
}
