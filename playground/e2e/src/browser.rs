//! Headless Chromium through ChromeDriver (WebDriver, fantoccini), and the few page operations
//! the checks use: run a script, wait for a condition, set a field as a user's edit would.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// Where the browser and its driver are.
pub(crate) struct Tools {
    /// ChromeDriver (Debian `chromium-driver`: /usr/bin/chromedriver).
    pub(crate) chromedriver: PathBuf,
    /// Chromium (Debian `chromium`: /usr/bin/chromium).
    pub(crate) chromium: PathBuf,
}

/// A WebDriver session in headless Chromium.
pub(crate) struct Browser {
    /// The session.
    pub(crate) client: Client,
    _driver: Driver,
}

/// The ChromeDriver process, killed on drop (also when the session cannot be opened).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Chromium's flags: headless, and none of its background connections (this machine's network
/// refuses them, many at a time).
const CHROMIUM_ARGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1800",
];

impl Browser {
    /// Starts ChromeDriver on a free loopback port and opens a session in headless Chromium.
    ///
    /// # Errors
    /// ChromeDriver does not start or listen within 20 s, or the session is refused.
    pub(crate) async fn start(tools: &Tools) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let driver = Driver(
            Command::new(&tools.chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("starting {}", tools.chromedriver.display()))?,
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("chromedriver did not listen on 127.0.0.1:{port} within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": CHROMIUM_ARGS,
            },
            "timeouts": {"script": 600_000, "pageLoad": 60_000},
        });
        let Value::Object(caps) = caps else {
            bail!("capabilities are not an object");
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("opening a WebDriver session in Chromium")?;
        Ok(Self {
            client,
            _driver: driver,
        })
    }

    /// Opens `url` and waits (60 s at most) until the page says it is ready
    /// (`body[data-ready="1"]`: its module, presets and scenario tests loaded).
    ///
    /// # Errors
    /// The navigation fails or the page is not ready in time.
    pub(crate) async fn open(&self, url: &str) -> anyhow::Result<()> {
        self.client.goto(url).await?;
        self.wait_until(
            "document.body.dataset.ready === '1'",
            Duration::from_secs(60),
            "the page loads",
        )
        .await
    }

    /// Runs `js` (a function body; `arguments` are `args`) in the page.
    ///
    /// # Errors
    /// The script throws, or the session is gone.
    pub(crate) async fn script(&self, js: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        Ok(self.client.execute(js, args).await?)
    }

    /// Waits until the expression `condition` is truthy in the page, polling every 50 ms.
    ///
    /// # Errors
    /// `what` timed out after `timeout`.
    pub(crate) async fn wait_until(
        &self,
        condition: &str,
        timeout: Duration,
        what: &str,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        let js = format!("return !!({condition});");
        loop {
            if self.script(&js, vec![]).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{what}: not within {} s", timeout.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How many renders the page has completed (`body[data-runs]`).
    ///
    /// # Errors
    /// The session is gone.
    pub(crate) async fn runs(&self) -> anyhow::Result<u64> {
        let v = self
            .script("return document.body.dataset.runs || '0';", vec![])
            .await?;
        Ok(v.as_str().and_then(|s| s.parse().ok()).unwrap_or(0))
    }

    /// Waits for a render after the `before`-th.
    ///
    /// # Errors
    /// No render within 20 s.
    pub(crate) async fn wait_render(&self, before: u64) -> anyhow::Result<()> {
        let condition = format!("Number(document.body.dataset.runs || 0) > {before}");
        self.wait_until(&condition, Duration::from_secs(20), "a render")
            .await
    }

    /// Sets the field `selector` to `value` as an edit would (`input` and `change` events), and
    /// waits for the page to render it.
    ///
    /// # Errors
    /// No such field, or no render within 20 s.
    pub(crate) async fn edit(&self, selector: &str, value: &str) -> anyhow::Result<()> {
        let before = self.runs().await?;
        self.script(
            "const e = document.querySelector(arguments[0]);\
             if (!e) throw new Error('no ' + arguments[0]);\
             e.value = arguments[1];\
             e.dispatchEvent(new Event('input', {bubbles: true}));\
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![json!(selector), json!(value)],
        )
        .await?;
        self.wait_render(before).await
    }

    /// The trimmed text of the element `selector` (empty when there is none).
    ///
    /// # Errors
    /// The session is gone.
    pub(crate) async fn text(&self, selector: &str) -> anyhow::Result<String> {
        let v = self
            .script(
                "const e = document.querySelector(arguments[0]);\
                 return e ? e.textContent.trim() : '';",
                vec![json!(selector)],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }
}
