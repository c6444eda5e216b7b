//! Jobs: the record and its status machine, the sled store, change events, and the workers.

mod events;
mod model;
mod store;
mod worker;

pub use events::Hub;
pub use model::*;
pub use store::{
    cursor, event_name, now_ms, parse_cursor, CancelResult, Delivery, IdempotencyRecord,
    IdempotentInsert, JobPage, RetryResult, Store, StoreError, IDEMPOTENCY_TTL_HOURS, STATUSES,
};
pub use worker::{Pool, Progress, RunFuture, Runner, TenantLimits};
