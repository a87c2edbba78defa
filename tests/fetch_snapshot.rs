//! What a snapshot holds: every page byte for byte as the API sent it (drift included),
//! owner-only files, a manifest that accounts for every file.

use crate::common;

use std::os::unix::fs::PermissionsExt;

use kb4graph::api::Pagination;
use kb4graph::snapshot::{Snapshot, sha256_hex};

/// Field spellings and shapes of older or newer API versions that the simulated account
/// carries for a share of its records; a fetch must keep each one as it came.
const DRIFT: [&str; 20] = [
    "\"adi_manageable\"",
    "\"adi_guid\"",
    "\"provisioning_guid\"",
    "\"landing-page\"",
    "\"landing_page\"",
    "\"vulnerable_plugin_count\"",
    "\"exploited_count\"",
    "\"active_directory_guid\"",
    "\"vulnerable-plugins_at\"",
    "\"exploited_at\"",
    "\"store_purchased_id\"",
    "\"store_purchase_id\"",
    "\"content\":[[",
    "\"modules\":",
    "\"content_id\"",
    "\"user\":null",
    "\"mfa_enrolled\"",
    "\"smart_group\"",
    "\"archived_at\":\"",
    "\\u0007",
];

#[tokio::test]
async fn pages_are_kept_verbatim_drift_included() {
    let server = common::start(common::small(61)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut opts = common::options(&server, &out);
    opts.pagination = Pagination::Page;
    common::fetch(opts).await;

    let pages = common::raw_pages(&out);
    let all: Vec<u8> = pages.values().flatten().copied().collect();
    let all = String::from_utf8_lossy(&all);
    for spelling in DRIFT {
        assert!(all.contains(spelling), "{spelling} is in the snapshot");
    }

    // Asking the API again for each page gives the very bytes on disk.
    let snapshot = Snapshot::open(&out).unwrap();
    let mut checked = 0;
    for collection in snapshot.collections() {
        for page in &collection.pages {
            let mut url = format!("{}{}?", server.base_url(), collection.endpoint);
            if !collection.query.is_empty() {
                url.push_str(&collection.query);
                url.push('&');
            }
            if collection.id != "account" {
                url.push_str(&format!("page={}&per_page=500", page.page));
            }
            let body = common::get_bytes(&url).await;
            let on_disk = &pages[std::path::Path::new(&page.file)];
            assert_eq!(&body[..], &on_disk[..], "{url} is saved verbatim");
            assert_eq!(page.sha256, sha256_hex(on_disk));
            assert_eq!(page.size, on_disk.len() as u64);
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        pages.len(),
        "every page file is listed in the manifest"
    );
}

#[tokio::test]
async fn files_are_owner_only_and_the_manifest_accounts_for_all_of_them() {
    let server = common::start(common::small(62)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    common::fetch(common::options(&server, &out)).await;

    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{} is owner-only", d.display());
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{} is owner-only", path.display());
            }
        }
    }

    let manifest = common::manifest(&out);
    let listed: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    let on_disk: Vec<String> = common::raw_pages(&out)
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        listed, on_disk,
        "the manifest lists exactly the page files, sorted"
    );
    assert!(Snapshot::open(&out).unwrap().verify().is_empty());
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["source"]["base_url"], server.base_url());
    assert!(manifest["started_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_snapshot_directory_is_never_overwritten() {
    let server = common::start(common::small(63)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("evidence.txt"), "keep me").unwrap();
    let err = kb4graph::fetch::fetch(common::options(&server, &out))
        .await
        .expect_err("a non-empty directory is refused");
    let message = err.to_string();
    assert!(message.contains(&out.display().to_string()), "{message}");
    assert_eq!(
        std::fs::read_to_string(out.join("evidence.txt")).unwrap(),
        "keep me"
    );
}
