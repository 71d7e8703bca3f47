//! Two checkouts sharing one `CARGO_TARGET_DIR` share one xtask binary: built in the first,
//! cargo finds it fresh in the second and runs it there. It must act on the checkout it runs
//! in: `codegen`, `codegen --check` and `serve` in the second never touch the first.
//!
//! The checkouts are copies of this repository (sources only, modification times kept), so the
//! shared target directory (this test's own) holds fresh builds of both and nothing is rebuilt
//! but what the test changes.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const SPEC: &str = "specs/customer-managed.yaml";
const TITLE: &str = "title: Customer Service (customer-managed)";
const EDITED: &str = "title: Customer Service (checkout B)";

#[test]
fn xtask_acts_on_the_checkout_it_runs_in() {
    let repo = repo();
    let scratch = target_dir().join("tmp/xtask-checkouts");
    let _ = std::fs::remove_dir_all(&scratch);
    let (a, b) = (scratch.join("a"), scratch.join("b"));
    copy_checkout(&repo, &a);
    copy_checkout(&repo, &b);

    // Built in A (its main.rs is newer than any build); in B cargo reuses that binary, the
    // situation this test is about.
    touch(&a.join("xtask/src/main.rs"));
    assert!(!xtask_is_fresh(&a), "cargo did not build xtask in A");
    assert!(xtask_is_fresh(&b), "cargo rebuilt xtask in B");

    serve_comes_from(&b);
    codegen_writes_only_into(&b, &a);
    std::fs::remove_dir_all(&scratch).unwrap();
}

/// `codegen --check` in B sees B's edited spec, `codegen` writes B's crate, and A stays as it was.
fn codegen_writes_only_into(b: &Path, a: &Path) {
    let lib = "generated/src/lib.rs";
    let before = std::fs::read_to_string(a.join(lib)).unwrap();
    let spec = std::fs::read_to_string(b.join(SPEC)).unwrap();
    assert!(spec.contains(TITLE), "the test's edit no longer applies");
    std::fs::write(b.join(SPEC), spec.replacen(TITLE, EDITED, 1)).unwrap();

    let stale = cargo(b, &["xtask", "codegen", "--check"]);
    assert!(!stale.status.success(), "{}", text(&stale));
    assert!(
        text(&stale).contains("generated/ is stale"),
        "{}",
        text(&stale)
    );

    assert_success(&cargo(b, &["xtask", "codegen"]));
    let written = std::fs::read_to_string(b.join(lib)).unwrap();
    assert!(
        written.contains("checkout B"),
        "B's crate was not regenerated"
    );
    assert_eq!(std::fs::read_to_string(a.join(lib)).unwrap(), before);

    assert_success(&cargo(b, &["xtask", "codegen", "--check"]));
    assert_success(&cargo(a, &["xtask", "codegen", "--check"]));
}

/// `serve` in B names B as the checkout it serves, and the server it starts answers.
fn serve_comes_from(b: &Path) {
    let addr = free_addr();
    let mut child = Command::new(cargo_exe())
        .current_dir(b)
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["xtask", "serve", "--addr", &addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so that cargo, xtask and the server it starts stop together.
        .process_group(0)
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let served = format!("serving the reference service of {}", b.display());
    let result = wait_for(&lines, "serving the reference service of ").and_then(|line| {
        match line == served {
            true => wait_for(&lines, "listening on http://"),
            false => Err(format!("expected `{served}`, got `{line}`")),
        }
    });
    let answer = result.map(|_| get(&addr));
    stop(&child);
    let _ = child.wait();
    assert_eq!(answer, Ok(true), "the reference server did not answer");
}

/// The repository this test belongs to (read when it runs, like xtask itself).
fn repo() -> PathBuf {
    let xtask = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    xtask.parent().unwrap().to_path_buf()
}

/// The target directory this test was built in: `<target>/debug/deps/<test binary>`.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        if dir.is_absolute() {
            return dir;
        }
    }
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

fn cargo_exe() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn cargo(dir: &Path, args: &[&str]) -> Output {
    Command::new(cargo_exe())
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_success(out: &Output) {
    assert!(out.status.success(), "{}", text(out));
}

/// Whether cargo, asked in `dir`, finds the xtask binary up to date.
fn xtask_is_fresh(dir: &Path) -> bool {
    let out = cargo(
        dir,
        &[
            "build",
            "--package",
            "xtask",
            "--bin",
            "xtask",
            "--message-format",
            "json",
        ],
    );
    assert_success(&out);
    String::from_utf8_lossy(&out.stdout).lines().any(|line| {
        let msg: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        msg["reason"] == "compiler-artifact"
            && msg["target"]["name"] == "xtask"
            && msg["target"]["kind"][0] == "bin"
            && msg["fresh"] == true
    })
}

/// Copies the sources of `from` (everything but `target/` and `.git`) to `to`, keeping
/// modification times, so that cargo judges the copy's files as old as the original's.
fn copy_checkout(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        copy(&entry.path(), &to.join(name));
    }
}

fn copy(from: &Path, to: &Path) {
    let meta = std::fs::symlink_metadata(from).unwrap();
    if meta.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else if meta.is_file() {
        std::fs::copy(from, to).unwrap();
        let file = std::fs::File::options().write(true).open(to).unwrap();
        file.set_modified(meta.modified().unwrap()).unwrap();
    }
}

/// Makes `path` newer than any build of it.
fn touch(path: &Path) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now()).unwrap();
}

/// A loopback address no one listens on (free when the test looked).
fn free_addr() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// The lines `child` prints on stdout and stderr, as they come.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout: Box<dyn Read + Send> = Box::new(child.stdout.take().unwrap());
    let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().unwrap());
    for stream in [stdout, stderr] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    rx
}

/// Waits (through a possible build of the server) for a line containing `needle`.
fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) -> Result<String, String> {
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(600)) {
            Ok(line) if line.contains(needle) => return Ok(line),
            Ok(line) => seen.push(line),
            Err(_) => {
                return Err(format!(
                    "no line with {needle:?}; saw:\n{}",
                    seen.join("\n")
                ))
            }
        }
    }
}

/// Whether an HTTP request to `addr` gets an HTTP response.
fn get(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let request =
        format!("GET /no-such-path HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut response = String::new();
    let _ = stream.write_all(request.as_bytes());
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 ")
}

/// Stops the process group of `child` (cargo, xtask and the server).
fn stop(child: &Child) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
}
