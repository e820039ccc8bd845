//! The raw control server: a thread that reads one raw ClientHello (parsed here, bounds
//! checked) and answers a ServerHello when it offers an accepted suite at an accepted version,
//! for the attempts made with [`crate::scan::tls::hello::probe`].

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};

use super::START_LIMIT;

/// A ClientHello as the raw control server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientHello {
    /// The record layer's version (0x0300 for SSLv3, 0x0301 otherwise).
    pub(crate) record_version: u16,
    /// The `client_version`: the highest version the client offers.
    pub(crate) version: u16,
    /// The offered cipher suites, in order.
    pub(crate) suites: Vec<u16>,
    /// The host name of the `server_name` extension, if any.
    pub(crate) servername: Option<String>,
}

/// Bounds-checked reading of big-endian fields.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8]> {
        let Some((head, rest)) = self.bytes.split_at_checked(n) else {
            bail!("{} cut short in its {field}", self.what);
        };
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self, field: &str) -> Result<u8> {
        Ok(self.take(1, field)?.first().copied().unwrap_or_default())
    }

    fn u16(&mut self, field: &str) -> Result<u16> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes(<[u8; 2]>::try_from(b)?))
    }

    fn u24(&mut self, field: &str) -> Result<usize> {
        let b = self.take(3, field)?;
        let [a, b, c] = <[u8; 3]>::try_from(b)?;
        Ok(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c))
    }

    /// A field with a length prefix of `len_bytes` (1 or 2) bytes.
    fn vector(&mut self, len_bytes: u8, field: &str) -> Result<&'a [u8]> {
        let n = if len_bytes == 1 {
            usize::from(self.u8(field)?)
        } else {
            usize::from(self.u16(field)?)
        };
        self.take(n, field)
    }

    fn end(&self) -> Result<()> {
        ensure!(
            self.bytes.is_empty(),
            "{} has {} bytes too many",
            self.what,
            self.bytes.len()
        );
        Ok(())
    }
}

/// Parses one handshake record holding a whole ClientHello (`record`: the 5-byte record header
/// and its body); fails on anything malformed (a length that does not add up, a record of
/// another type, an odd suite list, bytes left over).
pub(crate) fn parse_client_hello(record: &[u8]) -> Result<ClientHello> {
    let mut r = Reader {
        bytes: record,
        what: "record",
    };
    ensure!(r.u8("type")? == 0x16, "not a handshake record");
    let record_version = r.u16("version")?;
    let body = r.vector(2, "body")?;
    r.end()?;
    let mut r = Reader {
        bytes: body,
        what: "handshake",
    };
    ensure!(r.u8("type")? == 0x01, "not a ClientHello");
    let len = r.u24("length")?;
    let hello = r.take(len, "body")?;
    r.end()?;
    let mut r = Reader {
        bytes: hello,
        what: "ClientHello",
    };
    let version = r.u16("version")?;
    r.take(32, "random")?;
    let session_id = r.vector(1, "session id")?;
    ensure!(session_id.len() <= 32, "session id longer than 32 bytes");
    let suite_bytes = r.vector(2, "cipher suites")?;
    ensure!(
        !suite_bytes.is_empty() && suite_bytes.len() % 2 == 0,
        "cipher suite list of {} bytes",
        suite_bytes.len()
    );
    let suites = suite_bytes
        .chunks_exact(2)
        .map(|c| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .collect();
    let compression = r.vector(1, "compression methods")?;
    ensure!(compression.contains(&0), "no null compression");
    let mut servername = None;
    if !r.bytes.is_empty() {
        let mut ext = Reader {
            bytes: r.vector(2, "extensions")?,
            what: "extensions",
        };
        while !ext.bytes.is_empty() {
            let kind = ext.u16("type")?;
            let data = ext.vector(2, "data")?;
            if kind == 0x0000 {
                servername = Some(parse_sni(data)?);
            }
        }
    }
    r.end()?;
    Ok(ClientHello {
        record_version,
        version,
        suites,
        servername,
    })
}

/// The host name of a `server_name` extension's data.
fn parse_sni(data: &[u8]) -> Result<String> {
    let mut r = Reader {
        bytes: data,
        what: "server_name",
    };
    let mut list = Reader {
        bytes: r.vector(2, "list")?,
        what: "server_name list",
    };
    r.end()?;
    ensure!(list.u8("name type")? == 0, "server_name not a host name");
    let name = list.vector(2, "host name")?;
    list.end()?;
    Ok(String::from_utf8_lossy(name).into_owned())
}

/// A handshake record holding a ServerHello that chooses `suite` at `version` (an empty
/// session id, null compression, no extensions).
pub(crate) fn server_hello(version: u16, suite: u16) -> Vec<u8> {
    let mut hello = Vec::with_capacity(38 + 4);
    hello.extend_from_slice(&version.to_be_bytes());
    hello.extend((0u8..32).map(|i| i.wrapping_mul(29).wrapping_add(3)));
    hello.push(0); // session id
    hello.extend_from_slice(&suite.to_be_bytes());
    hello.push(0); // compression
    let len = u32::try_from(hello.len()).unwrap_or_default().to_be_bytes();
    let mut record = vec![0x16];
    record.extend_from_slice(&version.to_be_bytes());
    record.extend_from_slice(
        &u16::try_from(hello.len() + 4)
            .unwrap_or_default()
            .to_be_bytes(),
    );
    record.push(0x02);
    record.extend_from_slice(len.get(1..).unwrap_or_default());
    record.extend_from_slice(&hello);
    record
}

/// A fatal handshake_failure alert record at `version`.
fn handshake_failure(version: u16) -> Vec<u8> {
    let [hi, lo] = version.to_be_bytes();
    vec![0x15, hi, lo, 0, 2, 2, 40]
}

/// An in-process control server for the raw ClientHello: it listens on 127.0.0.1 (an ephemeral
/// port) for one connection, reads one ClientHello and answers a ServerHello choosing the first
/// offered suite among those it accepts, at the offered version if it accepts that version, or
/// else a handshake_failure alert.
pub(crate) struct RawControl {
    addr: String,
    thread: JoinHandle<Result<ClientHello>>,
}

impl RawControl {
    /// Starts a control that accepts the `versions` (e.g. 0x0300 for SSLv3) and `suites`
    /// (IANA codes); it waits 10 s at most for its client.
    pub(crate) fn start(versions: &[u16], suites: &[u16]) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").context("raw control: cannot listen")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?.to_string();
        let (versions, suites) = (versions.to_vec(), suites.to_vec());
        let thread = std::thread::Builder::new()
            .name("tls-raw-control".into())
            .spawn(move || serve_one(&listener, &versions, &suites))
            .context("raw control: cannot start its thread")?;
        Ok(RawControl { addr, thread })
    }

    /// The address to connect to, `127.0.0.1:PORT`.
    pub(crate) fn addr(&self) -> &str {
        &self.addr
    }

    /// Waits for the connection to be served; returns the ClientHello read, or why none was.
    pub(crate) fn finish(self) -> Result<ClientHello> {
        self.thread
            .join()
            .map_err(|_| anyhow!("raw control thread panicked"))?
    }
}

fn serve_one(listener: &TcpListener, versions: &[u16], suites: &[u16]) -> Result<ClientHello> {
    let start = Instant::now();
    let mut stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock && start.elapsed() < START_LIMIT => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e).context("raw control: no client came"),
        }
    };
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut header = [0u8; 5];
    stream
        .read_exact(&mut header)
        .context("raw control: no record header")?;
    let [_, _, _, hi, lo] = header;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([hi, lo]))];
    stream
        .read_exact(&mut body)
        .context("raw control: record cut short")?;
    let mut record = header.to_vec();
    record.extend_from_slice(&body);
    let hello = parse_client_hello(&record).context("raw control")?;
    let chosen = versions
        .contains(&hello.version)
        .then(|| hello.suites.iter().find(|s| suites.contains(s)))
        .flatten();
    let answer = match chosen {
        Some(&suite) => server_hello(hello.version, suite),
        None => handshake_failure(hello.version),
    };
    stream.write_all(&answer)?;
    Ok(hello)
}
