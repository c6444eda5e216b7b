//! The store against a real sled directory: layout upgrades, listing, attempts, secrets.
use super::*;
use crate::jobs::{Mode, OutputKind};

fn temp_store_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("varg-store-{}", Uuid::new_v4()))
}

async fn add(store: &Store, tenant: &str) -> Uuid {
    let job = Job::new(tenant, "code".into(), Mode::Preview, OutputKind::Video);
    store.insert(job, None).await.expect("insert").id
}

fn ids(page: &JobPage) -> Vec<Uuid> {
    page.jobs.iter().map(|j| j.id).collect()
}

#[tokio::test]
async fn a_store_without_the_index_gets_it_at_open_and_counts_survive() {
    let dir = temp_store_dir();
    let (mine, theirs) = {
        let store = Store::open(&dir).expect("open");
        let mine = [
            add(&store, "a").await,
            add(&store, "a").await,
            add(&store, "a").await,
        ];
        let theirs = add(&store, "ab").await;
        assert!(matches!(
            store.cancel(mine[1]).await,
            Ok(CancelResult::Cancelled(_))
        ));
        // As a store written before the index existed.
        store.by_tenant.clear().expect("clear");
        store.db.flush().expect("flush");
        (mine, theirs)
    };
    let store = Store::open(&dir).expect("reopen");
    let all = store.list("a", &[], None, 10).expect("list");
    assert_eq!(ids(&all), vec![mine[2], mine[1], mine[0]]);
    assert!(all.next.is_none());
    // A tenant whose name starts like another's sees only its own jobs.
    assert_eq!(
        ids(&store.list("ab", &[], None, 10).expect("list")),
        vec![theirs]
    );
    let first = store.list("a", &[], None, 2).expect("list");
    let rest = store.list("a", &[], first.next.as_ref(), 2).expect("list");
    assert_eq!(ids(&first), vec![mine[2], mine[1]]);
    assert_eq!(ids(&rest), vec![mine[0]]);
    let queued = store.list("a", &[Status::Queued], None, 10).expect("list");
    assert_eq!(ids(&queued), vec![mine[2], mine[0]]);
    let count = |status| store.counts().into_iter().find(|(s, _)| *s == status);
    assert_eq!(count(Status::Queued), Some((Status::Queued, 3)));
    assert_eq!(count(Status::Cancelled), Some((Status::Cancelled, 1)));
    assert_eq!(store.waiting(), 3);
    assert!(matches!(
        store.cancel(mine[1]).await,
        Ok(CancelResult::AlreadyEnded(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

fn files_containing(dir: &Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .unwrap_or_default()
                .windows(needle.len())
                .any(|w| w == needle)
            {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn a_request_key_never_reaches_the_disk_and_is_gone_after_a_restart() {
    const KEY: &str = "gw-request-key-93b1d0";
    let dir = temp_store_dir();
    let id = {
        let store = Store::open(&dir).expect("open");
        let job = Job::new("a", "code".into(), Mode::Strict, OutputKind::Video);
        let job = store.insert(job, Some(KEY)).await.expect("insert");
        assert!(job.request_key);
        assert_eq!(store.secret(job.id).as_deref(), Some(KEY));
        store.db.flush().expect("flush");
        assert!(files_containing(&dir, KEY.as_bytes()).is_empty());
        job.id
    };
    let store = Store::open(&dir).expect("reopen");
    let job = store.get(id).expect("get").expect("job");
    assert!(job.request_key, "the record remembers a key came with it");
    assert_eq!(store.secret(id), None);
    // An ended job forgets its key; a retry with a new one holds that one.
    store.cancel(id).await.expect("cancel");
    let retried = store.retry(id, Some("second-key")).await.expect("retry");
    assert!(matches!(retried, RetryResult::Queued(ref j) if j.request_key));
    assert_eq!(store.secret(id).as_deref(), Some("second-key"));
    store.cancel(id).await.expect("cancel");
    assert_eq!(store.secret(id), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_worker_ends_only_its_own_attempt() {
    let dir = temp_store_dir();
    let store = Store::open(&dir).expect("open");
    let id = add(&store, "a").await;
    let started = store
        .claim(id, |_| true)
        .await
        .expect("claim")
        .expect("claimed");
    let failed = || {
        Outcome::Failed(crate::jobs::Failure::new(
            crate::jobs::ErrorCategory::Internal,
            "x",
        ))
    };
    // Another attempt's ending changes nothing.
    let other = store
        .finish_attempt(id, started.attempts + 1, failed())
        .await
        .expect("finish");
    assert_eq!(other.map(|j| j.status), Some(Status::Rendering));
    // A cancel wins over the render's own ending that comes after it.
    assert!(matches!(
        store.cancel(id).await,
        Ok(CancelResult::Cancelled(_))
    ));
    let late = store
        .finish_attempt(id, started.attempts, failed())
        .await
        .expect("finish");
    assert_eq!(late.map(|j| j.status), Some(Status::Cancelled));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_tenant_refused_a_start_keeps_its_place_while_others_go_first() {
    let dir = temp_store_dir();
    let store = Store::open(&dir).expect("open");
    let a1 = add(&store, "a").await;
    let a2 = add(&store, "a").await;
    let b1 = add(&store, "b").await;
    let only_b = |t: &str| t == "b";
    let first = store.claim_next(only_b).await.expect("claim");
    assert_eq!(first.map(|j| j.id), Some(b1));
    assert!(store.claim_next(only_b).await.expect("claim").is_none());
    assert_eq!(store.waiting(), 2);
    assert!(store.claim(a1, only_b).await.expect("claim").is_none());
    let next = store.claim_next(|_| true).await.expect("claim");
    assert_eq!(next.map(|j| j.id), Some(a1), "a's oldest job first");
    let last = store.claim_next(|_| true).await.expect("claim");
    assert_eq!(last.map(|j| j.id), Some(a2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_version_1_store_is_upgraded_and_its_queue_entries_still_start() {
    let dir = temp_store_dir();
    let id = {
        let store = Store::open(&dir).expect("open");
        let id = add(&store, "a").await;
        // As version 1 wrote them: the queue entry holds only the id.
        let (key, _) = store.queue.first().expect("read").expect("entry");
        store.queue.insert(key, id.as_bytes()).expect("rewrite");
        let meta = store.db.open_tree("meta").expect("meta");
        meta.insert("layout", &1u32.to_be_bytes()).expect("layout");
        store.db.flush().expect("flush");
        id
    };
    let store = Store::open(&dir).expect("reopen");
    let meta = store.db.open_tree("meta").expect("meta");
    let layout = meta.get("layout").expect("read").expect("layout");
    assert_eq!(layout.as_ref(), &LAYOUT_VERSION.to_be_bytes());
    let refused = store.claim_next(|t| t != "a").await.expect("claim");
    assert!(refused.is_none(), "the tenant is read from the record");
    let claimed = store.claim_next(|_| true).await.expect("claim");
    assert_eq!(claimed.map(|j| j.id), Some(id));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_ending_with_a_webhook_lands_in_the_outbox_and_survives_a_reopen() {
    let dir = temp_store_dir();
    let id = {
        let store = Store::open(&dir).expect("open");
        let mut job = Job::new("a", "code".into(), Mode::Preview, OutputKind::Video);
        job.webhook_url = Some("https://example.com/hook".into());
        let id = store
            .insert(job, Some("gw-secret-1"))
            .await
            .expect("insert")
            .id;
        add(&store, "a").await; // no webhook: no delivery
        assert_eq!(store.outbox_len(), 0);
        store.cancel(id).await.expect("cancel");
        id
    };
    let store = Store::open(&dir).expect("reopen");
    let due = store.due_deliveries(now_ms(), 10).expect("due");
    assert_eq!(due.len(), 1);
    let delivery = &due[0];
    assert_eq!(
        (delivery.job_id, delivery.event.as_str()),
        (id, "render.cancelled")
    );
    assert!(!delivery.body.contains("gw-secret-1"));
    let body: serde_json::Value = serde_json::from_str(&delivery.body).expect("json");
    assert_eq!(body["status"], "cancelled");
    // A failed try moves it later; an acknowledged one leaves.
    let later = now_ms() + 60_000;
    let next = store
        .delivery_retry(delivery, later, "HTTP 500")
        .await
        .expect("retry");
    assert_eq!(next.attempts, 1);
    assert!(store.due_deliveries(now_ms(), 10).expect("due").is_empty());
    assert_eq!(store.next_delivery_at().expect("next"), Some(later));
    store.delivery_done(&next).await.expect("done");
    assert_eq!(store.outbox_len(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_idempotency_key_makes_one_job_per_tenant() {
    let dir = temp_store_dir();
    let store = Store::open(&dir).expect("open");
    let job = || Job::new("a", "code".into(), Mode::Preview, OutputKind::Video);
    let first = match store.insert_idempotent(job(), None, "k", "f1").await {
        Ok(IdempotentInsert::Inserted(job)) => job,
        other => panic!("{other:?}"),
    };
    match store.insert_idempotent(job(), None, "k", "f2").await {
        Ok(IdempotentInsert::Existing { job, fingerprint }) => {
            assert_eq!((job.id, fingerprint.as_str()), (first.id, "f1"));
        }
        other => panic!("{other:?}"),
    }
    // Another tenant's same key is its own.
    let other = Job::new("b", "code".into(), Mode::Preview, OutputKind::Video);
    let other = store.insert_idempotent(other, None, "k", "f1").await;
    assert!(matches!(other, Ok(IdempotentInsert::Inserted(_))));
    assert_eq!(store.prune_idempotency().expect("prune"), 0);
    let found = store
        .idempotent_job("a", "k")
        .expect("get")
        .map(|(_, j)| j.id);
    assert_eq!(found, Some(first.id));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cursors_round_trip_and_reject_garbage() {
    let p = position(Utc::now(), Uuid::new_v4());
    assert_eq!(parse_cursor(&cursor(&p)), Some(p));
    assert_eq!(parse_cursor("zz"), None);
    assert_eq!(parse_cursor("00"), None);
}
