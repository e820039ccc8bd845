//! Shared data (`proxy_get_shared_data`, `proxy_set_shared_data`) and shared queues
//! (`proxy_register_shared_queue`, `proxy_resolve_shared_queue`, `proxy_enqueue_shared_queue`,
//! `proxy_dequeue_shared_queue`).
//!
//! Both belong to one plugin's store here (Envoy shares them across a VM's plugins): tests
//! never see each other's data. CAS values start at 1 and grow with every write; a write
//! with CAS 0 always succeeds, another stale CAS answers `CasMismatch`.

use std::collections::{BTreeMap, VecDeque};

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::{read, return_bytes, write_u32};
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;

/// One shared queue.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    pub(crate) vm_id: Vec<u8>,
    pub(crate) name: Vec<u8>,
    pub(crate) items: VecDeque<Vec<u8>>,
}

/// Shared key-value data and queues of a plugin.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) data: BTreeMap<Vec<u8>, (Vec<u8>, u32)>,
    next_cas: u32,
    /// Queue id − 1 indexes this list.
    pub(crate) queues: Vec<Queue>,
    /// Queue ids enqueued to since the host last delivered `proxy_on_queue_ready`.
    pub(crate) ready: Vec<u32>,
}

/// Most shared-data entries and queued items per plugin.
const MAX_ENTRIES: usize = 100_000;

fn get_data(
    caller: &mut Caller<'_, HostState>,
    key: (u32, u32),
    out: (u32, u32),
    cas_out: u32,
) -> HostResult {
    let key = read(caller, key.0, key.1, "shared data key")?;
    let Some((value, cas)) = state(caller).shared.data.get(&key).cloned() else {
        return ok(Status::NotFound);
    };
    return_bytes(caller, &value, out.0, out.1)?;
    write_u32(caller, cas_out, cas, "return cas")?;
    ok(Status::Ok)
}

fn set_data(
    caller: &mut Caller<'_, HostState>,
    key: (u32, u32),
    value: (u32, u32),
    cas: u32,
) -> HostResult {
    let key = read(caller, key.0, key.1, "shared data key")?;
    let value = read(caller, value.0, value.1, "shared data value")?;
    let shared = &mut state(caller).shared;
    if let Some((_, current)) = shared.data.get(&key) {
        if cas != 0 && cas != *current {
            return ok(Status::CasMismatch);
        }
    } else if shared.data.len() >= MAX_ENTRIES {
        return ok(Status::InternalFailure);
    }
    shared.next_cas = shared.next_cas.wrapping_add(1).max(1);
    let next = shared.next_cas;
    shared.data.insert(key, (value, next));
    ok(Status::Ok)
}

fn register(caller: &mut Caller<'_, HostState>, name: (u32, u32), out: u32) -> HostResult {
    let name = read(caller, name.0, name.1, "queue name")?;
    let shared = &mut state(caller).shared;
    let index = match shared
        .queues
        .iter()
        .position(|q| q.vm_id.is_empty() && q.name == name)
    {
        Some(i) => i,
        None => {
            shared.queues.push(Queue {
                vm_id: Vec::new(),
                name,
                items: VecDeque::new(),
            });
            shared.queues.len() - 1
        }
    };
    write_u32(caller, out, u32::try_from(index + 1)?, "return queue id")?;
    ok(Status::Ok)
}

fn resolve(
    caller: &mut Caller<'_, HostState>,
    vm_id: (u32, u32),
    name: (u32, u32),
    out: u32,
) -> HostResult {
    let vm_id = read(caller, vm_id.0, vm_id.1, "vm id")?;
    let name = read(caller, name.0, name.1, "queue name")?;
    let found = state(caller)
        .shared
        .queues
        .iter()
        .position(|q| q.vm_id == vm_id && q.name == name);
    let Some(index) = found else {
        return ok(Status::NotFound);
    };
    write_u32(caller, out, u32::try_from(index + 1)?, "return queue id")?;
    ok(Status::Ok)
}

fn enqueue(caller: &mut Caller<'_, HostState>, id: u32, value: (u32, u32)) -> HostResult {
    let value = read(caller, value.0, value.1, "queue item")?;
    let shared = &mut state(caller).shared;
    let Some(queue) = (id as usize)
        .checked_sub(1)
        .and_then(|i| shared.queues.get_mut(i))
    else {
        return ok(Status::NotFound);
    };
    if queue.items.len() >= MAX_ENTRIES {
        return ok(Status::InternalFailure);
    }
    queue.items.push_back(value);
    if !shared.ready.contains(&id) {
        shared.ready.push(id);
    }
    ok(Status::Ok)
}

fn dequeue(caller: &mut Caller<'_, HostState>, id: u32, out: (u32, u32)) -> HostResult {
    let shared = &mut state(caller).shared;
    let Some(queue) = (id as usize)
        .checked_sub(1)
        .and_then(|i| shared.queues.get_mut(i))
    else {
        return ok(Status::NotFound);
    };
    let Some(item) = queue.items.pop_front() else {
        return ok(Status::Empty);
    };
    return_bytes(caller, &item, out.0, out.1)?;
    ok(Status::Ok)
}

type C<'a> = Caller<'a, HostState>;

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_get_shared_data",
        |mut c: C<'_>, kp: u32, kn: u32, op: u32, os: u32, cas: u32| {
            named(
                "proxy_get_shared_data",
                get_data(&mut c, (kp, kn), (op, os), cas),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_shared_data",
        |mut c: C<'_>, kp: u32, kn: u32, vp: u32, vn: u32, cas: u32| {
            named(
                "proxy_set_shared_data",
                set_data(&mut c, (kp, kn), (vp, vn), cas),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_register_shared_queue",
        |mut c: C<'_>, np: u32, nn: u32, out: u32| {
            named(
                "proxy_register_shared_queue",
                register(&mut c, (np, nn), out),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_resolve_shared_queue",
        |mut c: C<'_>, vp: u32, vn: u32, np: u32, nn: u32, out: u32| {
            named(
                "proxy_resolve_shared_queue",
                resolve(&mut c, (vp, vn), (np, nn), out),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_enqueue_shared_queue",
        |mut c: C<'_>, id: u32, vp: u32, vn: u32| {
            named("proxy_enqueue_shared_queue", enqueue(&mut c, id, (vp, vn)))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_dequeue_shared_queue",
        |mut c: C<'_>, id: u32, op: u32, os: u32| {
            named("proxy_dequeue_shared_queue", dequeue(&mut c, id, (op, os)))
        },
    )?;
    Ok(())
}
