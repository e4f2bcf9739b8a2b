//! A real SMTP server for the mail suites: aiosmtpd (from PyPI, installed by
//! `scripts/smtp-venv`), run as its own process on a free port and keeping
//! every mail it accepts in a Maildir, which the suites read back and parse.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One mail as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The `List-Unsubscribe` header, empty when absent.
    pub list_unsubscribe: String,
    pub list_unsubscribe_post: String,
}

pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

fn python() -> String {
    if let Ok(python) = std::env::var("MINGA_TEST_SMTPD") {
        return python;
    }
    let venv = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/smtp-venv/bin/python");
    assert!(
        std::path::Path::new(venv).exists(),
        "the mail tests need aiosmtpd: run scripts/smtp-venv (scripts/test does) or set MINGA_TEST_SMTPD"
    );
    venv.to_owned()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").port()
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let dir = std::env::temp_dir().join(format!("minga-smtp-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("maildir");
        let mut server = SmtpServer { child: None, port: free_port(), dir };
        server.resume().await;
        server
    }

    /// `smtp://127.0.0.1:port`, for `--smtp-url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server: the port refuses connections until `resume`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it (again) on the same port and Maildir, once it accepts connections.
    pub async fn resume(&mut self) {
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{}", self.port)])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.dir.join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start listening on {}", self.port);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every mail received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        let new = self.dir.join("mail").join("new");
        let mut files: Vec<_> = std::fs::read_dir(&new)
            .map(|entries| entries.filter_map(Result::ok).map(|entry| entry.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok());
        files.iter().map(|path| parse(&std::fs::read(path).expect("a received mail"))).collect()
    }

    /// Waits (up to `within`) until at least `count` mails have arrived.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() >= deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn parse(raw: &[u8]) -> Received {
    use mailparse::MailHeaderMap;
    let mail = mailparse::parse_mail(raw).expect("a well-formed mail");
    let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
    let part = |mime: &str| {
        mail.subparts
            .iter()
            .find(|part| part.ctype.mimetype == mime)
            .map(|part| part.get_body().expect("a decodable part"))
            .unwrap_or_default()
    };
    Received {
        message_id: header("Message-ID"),
        from: header("From"),
        to: header("To"),
        subject: header("Subject"),
        text: part("text/plain"),
        html: part("text/html"),
        list_unsubscribe: header("List-Unsubscribe"),
        list_unsubscribe_post: header("List-Unsubscribe-Post"),
    }
}
