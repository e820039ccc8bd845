//! The checks of the page in Chromium, each an `ok` or `FAIL` line, then `N passed, N failed`.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::browser::{Browser, Tools};
use crate::cases::{self, Answer, Case};
use crate::serve;

/// Scenario tests replayed per script call.
const BATCH: usize = 40;

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn record(&mut self, what: &str, result: anyhow::Result<()>) {
        match result {
            Ok(()) => {
                self.passed += 1;
                println!("ok   {what}");
            }
            Err(e) => {
                self.failed += 1;
                println!("FAIL {what}: {e:#}");
            }
        }
    }
}

/// Runs every check of the page built in `dir`; `true` when all passed.
///
/// # Errors
/// The page cannot be served, the browser cannot start, or `scenarios.json` is missing.
pub(crate) async fn run(
    dir: &Path,
    tools: &Tools,
    screenshots: Option<&Path>,
) -> anyhow::Result<bool> {
    let cases = cases::load(dir)?;
    anyhow::ensure!(!cases.is_empty(), "scenarios.json holds no test");
    let url = serve::start(dir, 0).await?;
    let browser = Browser::start(tools).await?;
    let mut t = Tally::default();
    let ready = browser.open(&url).await;
    let loaded = ready.is_ok();
    t.record("the page loads (module, presets, scenario tests)", ready);
    if loaded {
        presets(&browser, &mut t).await?;
        config_errors(&browser, &mut t).await?;
        if let Some(dir) = screenshots {
            shots(&browser, &url, &cases, dir, &mut t).await?;
        }
        agreement(&browser, &url, &cases, &mut t).await?;
        control(&browser, &cases, &mut t).await?;
        permalink(&browser, &url, &cases, &mut t).await?;
    }
    println!("{} passed, {} failed", t.passed, t.failed);
    let _ = browser.client.clone().close().await;
    Ok(t.failed == 0)
}

/// Every preset loads, compiles and runs the request in the builder.
async fn presets(b: &Browser, t: &mut Tally) -> anyhow::Result<()> {
    let values = b
        .script(
            "return [...document.querySelectorAll('#preset option')].map(o => o.value).filter(v => v);",
            vec![],
        )
        .await?;
    let values: Vec<String> = serde_json::from_value(values)?;
    t.record(
        &format!(
            "the preset list offers all 12 presets ({} found)",
            values.len()
        ),
        if values.len() == 12 {
            Ok(())
        } else {
            Err(anyhow::anyhow!("{values:?}"))
        },
    );
    for preset in values {
        let result = async {
            b.edit("#preset", &preset).await?;
            let (error, run_error, status) = (
                b.text("#config-error").await?,
                b.text("#run-error").await?,
                b.text("#status").await?,
            );
            anyhow::ensure!(error.is_empty(), "configuration error: {error}");
            anyhow::ensure!(run_error.is_empty(), "run error: {run_error}");
            anyhow::ensure!(
                status.parse::<u16>().is_ok(),
                "no status shown ({status:?})"
            );
            Ok(())
        }
        .await;
        t.record(&format!("preset {preset} loads and runs"), result);
    }
    Ok(())
}

/// A refused configuration shows its error at its line, in the message and in the gutter. The
/// expected line is where the refused text is, found in the text itself.
async fn config_errors(b: &Browser, t: &mut Tally) -> anyhow::Result<()> {
    // (what, module, configuration, the text on the refused line)
    let rows = [
        (
            "a dot segment in an allow rule",
            "context-allowlist",
            "{\n  \"deny_status\": 404,\n  \"virtual_hosts\": [{\n    \"domains\": [\"*\"],\n    \"allow\": [\"/oauth2/**\",\n              \"/a/../b\"]\n  }]\n}\n",
            "\"/a/../b\"",
        ),
        (
            "a JSON syntax error",
            "context-allowlist",
            "{\n  \"virtual_hosts\": [{\n    \"domains\": [\"*\"],\n    \"allow\": [\"/oauth2/**\",]\n  }]\n}\n",
            ",]",
        ),
        (
            "a JSON syntax error in the combined module's configuration",
            "gateway-hardening",
            "{\n  \"tls_guard\": {\"min_version\": \"TLSv1.2\"},\n  \"context_allowlist\": {,}\n}\n",
            "{,}",
        ),
        (
            "an unknown section of the combined module",
            "gateway-hardening",
            "{\n  \"tls_guard\": {\"min_version\": \"TLSv1.2\"},\n  \"rate_limit\": {}\n}\n",
            "rate_limit",
        ),
    ];
    for (name, module, config, marker) in rows {
        let want = config
            .lines()
            .position(|l| l.contains(marker))
            .map_or(0, |i| i + 1);
        let result = async {
            b.edit("#module", module).await?;
            b.edit("#config", config).await?;
            let shown = b
                .script(
                    "const e = document.querySelector('#config-error');\
                     const g = document.querySelector('#config-gutter .ln.error');\
                     return [e.getAttribute('data-line'), e.textContent, g && g.getAttribute('data-line')];",
                    vec![],
                )
                .await?;
            let line = format!("line {want}");
            anyhow::ensure!(
                shown.get(0) == Some(&json!(want.to_string()))
                    && shown.get(2) == Some(&json!(want.to_string()))
                    && shown
                        .get(1)
                        .and_then(Value::as_str)
                        .is_some_and(|m| m.contains(&line)),
                "expected line {want} in the message, its data-line and the gutter; the page shows {shown}"
            );
            Ok(())
        }
        .await;
        t.record(&format!("{name} is shown at line {want}"), result);
    }
    Ok(())
}

/// What the page shows for the scenario test whose fragment is loaded.
fn answer_of(shown: &Value) -> Result<Answer, String> {
    let field = |k: &str| shown.get(k).and_then(Value::as_str).unwrap_or_default();
    if shown.get("timeout").is_some() {
        let rendered = field("rendered");
        return Err(format!(
            "the page did not render within 30 s (its last render: #{} for {})",
            field("runs"),
            if rendered.is_empty() {
                "an edit"
            } else {
                "another link"
            }
        ));
    }
    if !field("error").is_empty() {
        return Err(format!("the page shows an error: {}", field("error")));
    }
    Ok(Answer {
        status: field("status").parse().ok(),
        reached_upstream: field("reached") == "yes",
        local_details: Some(field("details").to_owned()).filter(|d| !d.is_empty()),
    })
}

/// Every scenario test through the page (its permalink fragment, as a user's link would load
/// it): the same status, upstream reach and local response as the wasmtime host.
async fn agreement(b: &Browser, url: &str, cases: &[Case], t: &mut Tally) -> anyhow::Result<()> {
    const REPLAY: &str = "const hashes = arguments[0], done = arguments[arguments.length - 1];\
        const read = s => { const e = document.querySelector(s); return e ? e.textContent.trim() : ''; };\
        (async () => { const out = [];\
          for (const h of hashes) {\
            if (location.hash !== h) { location.hash = h; }\
            const t0 = Date.now(); let late = false;\
            while (document.body.dataset.rendered !== h) {\
              if (Date.now() - t0 > 30000) { late = true; break; }\
              await new Promise(r => setTimeout(r, 2));\
            }\
            out.push(late ? {timeout: true, rendered: document.body.dataset.rendered || '',\
              runs: document.body.dataset.runs || ''} : {status: read('#status'), reached: read('#reached'),\
              details: read('#details'), error: read('#run-error')});\
          }\
          done(out); })();";
    b.open(url).await?;
    for batch in cases.chunks(BATCH) {
        let hashes: Vec<String> = batch.iter().map(Case::fragment).collect();
        let shown = b.client.execute_async(REPLAY, vec![json!(hashes)]).await?;
        let shown = shown.as_array().cloned().unwrap_or_default();
        for (i, case) in batch.iter().enumerate() {
            let what = format!("{} {}", case.file, case.id);
            let result = match shown.get(i).map(answer_of) {
                None => Err(anyhow::anyhow!("no answer from the page")),
                Some(Err(e)) => Err(anyhow::anyhow!(e)),
                Some(Ok(page)) if page == case.wasm => Ok(()),
                Some(Ok(page)) => Err(anyhow::anyhow!(
                    "the page {page:?}, the wasmtime host {:?}",
                    case.wasm
                )),
            };
            t.record(&what, result);
        }
    }
    Ok(())
}

/// The control: a refused bypass test with an allowlist that allows everything must reach the
/// upstream in the page. The agreement above could not then come from the page echoing the
/// exported answers: its answer follows the configuration it runs.
async fn control(b: &Browser, cases: &[Case], t: &mut Tally) -> anyhow::Result<()> {
    let Some(case) = cases
        .iter()
        .find(|c| c.module == "context-allowlist" && !c.wasm.reached_upstream)
    else {
        return Ok(());
    };
    let mut open = case.clone();
    open.config = r#"{"virtual_hosts": [{"domains": ["*"], "allow": ["/**"]}]}"#.to_owned();
    let result = async {
        let fragment = open.fragment();
        let before = b.runs().await?;
        b.script("location.hash = arguments[0];", vec![json!(fragment)])
            .await?;
        b.wait_render(before).await?;
        let reached = b.text("#reached").await?;
        anyhow::ensure!(
            reached == "yes",
            "with an allow-all configuration the page says reached={reached:?}"
        );
        Ok(())
    }
    .await;
    t.record(
        &format!(
            "control: {} {} reaches the upstream under an allow-all configuration",
            case.file, case.id
        ),
        result,
    );
    Ok(())
}

/// The page's own permalink (`#permalink`, compressed) opened in a fresh load gives the same
/// answer.
async fn permalink(b: &Browser, url: &str, cases: &[Case], t: &mut Tally) -> anyhow::Result<()> {
    let Some(case) = cases.iter().find(|c| !c.wasm.reached_upstream) else {
        return Ok(());
    };
    let result = async {
        let before = b.runs().await?;
        b.script(
            "location.hash = arguments[0];",
            vec![json!(case.fragment())],
        )
        .await?;
        b.wait_render(before).await?;
        let href = b
            .script(
                "return document.querySelector('#permalink').getAttribute('href');",
                vec![],
            )
            .await?;
        let href = href.as_str().unwrap_or_default().to_owned();
        let fragment = href
            .find('#')
            .and_then(|i| href.get(i..))
            .unwrap_or_default()
            .to_owned();
        anyhow::ensure!(
            fragment.starts_with("#z=") || fragment.starts_with("#s="),
            "the permalink is {href:?}"
        );
        b.client.goto("about:blank").await?;
        b.client.goto(&format!("{url}{fragment}")).await?;
        let rendered = format!(
            "document.body.dataset.ready === '1' && document.body.dataset.rendered === {}",
            json!(fragment)
        );
        b.wait_until(&rendered, Duration::from_secs(60), "the permalink loads")
            .await?;
        let status = b.text("#status").await?;
        let details = b.text("#details").await?;
        anyhow::ensure!(
            status.parse().ok() == case.wasm.status
                && Some(details.clone()).filter(|d| !d.is_empty()) == case.wasm.local_details,
            "the permalink shows {status} {details:?}, expected {:?}",
            case.wasm
        );
        Ok(())
    }
    .await;
    t.record(
        &format!("the page's permalink reloads {} {}", case.file, case.id),
        result,
    );
    Ok(())
}

/// Screenshots at three steps: the combined preset on a public request, an attack explained,
/// a configuration error.
async fn shots(
    b: &Browser,
    url: &str,
    cases: &[Case],
    dir: &Path,
    t: &mut Tally,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let result = async {
        b.open(url).await?;
        b.edit("#preset", "gateway-hardening/wso2-is").await?;
        std::fs::write(dir.join("1-preset.png"), b.client.screenshot().await?)?;
        let attack = cases
            .iter()
            .find(|c| c.file.contains("bypass/dot-segments"))
            .or_else(|| cases.iter().find(|c| c.file.contains("/bypass/")))
            .ok_or_else(|| anyhow::anyhow!("no bypass test to show"))?;
        let before = b.runs().await?;
        b.script("location.hash = arguments[0];", vec![json!(attack.fragment())])
            .await?;
        b.wait_render(before).await?;
        b.script(
            "const e = document.querySelector('#trace'); if (e) e.scrollIntoView();",
            vec![],
        )
        .await?;
        std::fs::write(dir.join("2-attack.png"), b.client.screenshot().await?)?;
        b.script("window.scrollTo(0, 0);", vec![]).await?;
        b.edit(
            "#config",
            "{\n  \"virtual_hosts\": [{\n    \"domains\": [\"*\"],\n    \"allow\": [\"/oauth2/**\", \"/a/../b\"]\n  }]\n}\n",
        )
        .await?;
        std::fs::write(dir.join("3-error.png"), b.client.screenshot().await?)?;
        Ok(())
    }
    .await;
    t.record(&format!("screenshots saved in {}", dir.display()), result);
    Ok(())
}
