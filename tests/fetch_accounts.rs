//! Several accounts from one accounts file over loopback HTTP, each its own simulated API:
//! fetched at once, one refusing the token and one running out of daily quota mid-fetch, the
//! others complete; running the same command again resumes only what is unfinished.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use kb4graph::accounts::{AccountsConfig, AccountsDir, AccountsFetch, fetch_accounts};
use kb4graph::mock::{MockConfig, MockServer};
use kb4graph::rate::RateSpec;

const GOOD: &str = "kb4graph-accounts-good-token-51c2";
const WRONG: &str = "kb4graph-accounts-wrong-token-9e07";
/// Enough for the first collections of a small account, not for all of them.
const QUOTA: u64 = 12;

/// Three accounts: `acme` (seed 41), `trial.` sharing some of acme's people and accepting only
/// [`GOOD`], `sub` sharing too and allowed [`QUOTA`] requests a day.
async fn servers() -> [MockServer; 3] {
    let acme = common::start(common::small(41)).await;
    let mut trial = common::small(42);
    trial.org.shared_people = Some(41);
    trial.token = Some(GOOD.into());
    let mut sub: MockConfig = common::small(43);
    sub.org.shared_people = Some(41);
    sub.daily_quota = Some(QUOTA);
    [acme, common::start(trial).await, common::start(sub).await]
}

fn write_config(dir: &Path, servers: &[MockServer; 3], trial_token: &str) -> AccountsConfig {
    std::fs::write(dir.join("good.token"), format!("{GOOD}\n")).unwrap();
    std::fs::write(dir.join("trial.token"), trial_token).unwrap();
    let text = format!(
        r#"# Tokens come from files beside this one.
[[account]]
name = "acme"
base_url = "{}"
token_file = "good.token"

[[account]]
name = "trial."
base_url = "{}"
token_file = "trial.token"

[[account]]
name = "sub"
base_url = "{}"
token_file = "good.token"
"#,
        servers[0].base_url(),
        servers[1].base_url(),
        servers[2].base_url()
    );
    let path = dir.join("accounts.toml");
    std::fs::write(&path, text).unwrap();
    AccountsConfig::load(&path).unwrap()
}

fn shared() -> AccountsFetch {
    AccountsFetch {
        pace: RateSpec::off(),
        timeout: Duration::from_secs(5),
        ..AccountsFetch::default()
    }
}

fn emails(snapshot: &Path) -> BTreeSet<String> {
    common::raw_records(snapshot, "raw/users/", "active")
        .iter()
        .filter_map(|u| u["email"].as_str().map(str::to_lowercase))
        .collect()
}

#[tokio::test]
async fn accounts_are_fetched_at_once_and_one_failure_leaves_the_others_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let servers = servers().await;
    let config = write_config(tmp.path(), &servers, WRONG);
    let out = tmp.path().join("accounts");
    let outcomes = fetch_accounts(&config, &out, &shared()).await.unwrap();
    let by_name = |name: &str| outcomes.iter().find(|o| o.name == name).unwrap();

    let acme = by_name("acme");
    assert!(acme.complete(), "{:?}", acme.result);
    assert_eq!(acme.dir, out.join("acme"));
    let manifest = common::manifest(&acme.dir);
    assert_eq!(manifest["source"]["account_name"], "acme");
    assert_eq!(manifest["complete"], true);

    let trial = by_name("trial.");
    let message = trial.result.as_ref().unwrap_err();
    assert!(
        message.contains("401") && message.contains("token"),
        "{message}"
    );
    assert!(
        message.contains(&servers[1].base_url()) || message.contains("/v1/account"),
        "{message}"
    );
    let sub = by_name("sub");
    let message = sub.result.as_ref().unwrap_err();
    assert!(message.contains("quota"), "{message}");
    assert!(message.contains("--resume"), "{message}");
    assert_eq!(common::manifest(&sub.dir)["complete"], false);
    for o in &outcomes {
        let text = format!("{:?}", o.result);
        assert!(!text.contains(GOOD) && !text.contains(WRONG), "{text}");
    }
    assert_eq!(
        AccountsDir::open(&out).unwrap().accounts,
        ["acme", "sub", "trial."]
    );

    // The token fixed, the same command again: acme is left alone, trial. is fetched, sub
    // still has no quota left today.
    let acme_requests = servers[0].stats().requests;
    let config = write_config(tmp.path(), &servers, GOOD);
    let again = fetch_accounts(&config, &out, &shared()).await.unwrap();
    let by_name = |name: &str| again.iter().find(|o| o.name == name).unwrap();
    assert!(by_name("acme").result.as_ref().unwrap().already_complete);
    assert_eq!(servers[0].stats().requests, acme_requests);
    assert!(
        by_name("trial.").complete(),
        "{:?}",
        by_name("trial.").result
    );
    assert!(
        by_name("sub")
            .result
            .as_ref()
            .unwrap_err()
            .contains("quota")
    );

    // The accounts share people, as one company's accounts do.
    let common_people: BTreeSet<_> = emails(&out.join("acme"))
        .intersection(&emails(&out.join("trial.")))
        .cloned()
        .collect();
    assert!(common_people.len() >= 10, "{common_people:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_names_each_failed_account_and_exits_non_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let servers = servers().await;
    write_config(tmp.path(), &servers, WRONG);
    let config = tmp.path().join("accounts.toml");
    let out = tmp.path().join("out");
    let args: Vec<String> = [
        "fetch",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--pace",
        "off",
        "--timeout",
        "5",
    ]
    .map(String::from)
    .to_vec();
    let output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::kb4graph(&args)
    })
    .await
    .unwrap();
    let text = common::output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("trial.: FAILED (its token comes from the file "),
        "{text}"
    );
    assert!(text.contains("sub: FAILED"), "{text}");
    assert!(
        text.contains("2 of 3 accounts failed (sub, trial.)"),
        "{text}"
    );
    assert!(!text.contains(GOOD) && !text.contains(WRONG), "{text}");
    assert_eq!(common::manifest(&out.join("acme"))["complete"], true);

    // An accounts file holding a token is refused before anything is fetched.
    std::fs::write(
        &config,
        format!("[[account]]\nname = \"x\"\nsite = \"us\"\ntoken = \"{GOOD}\"\n"),
    )
    .unwrap();
    let output = common::kb4graph(&[
        "fetch",
        "--config",
        config.to_str().unwrap(),
        "--out",
        tmp.path().join("other").to_str().unwrap(),
    ]);
    let text = common::output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("accounts.toml: account 1 (\"x\")"), "{text}");
    assert!(!text.contains(GOOD), "{text}");
    assert!(!tmp.path().join("other").exists());
}
