//! The run's one shared store and its script handle `shared`.
//!
//! Every node and sub-run of a run holds the same [`Store`]; the handle is an ordinary value,
//! so it may travel in prep results or items. Reads and writes lock briefly; `update` holds the
//! lock across its closure so read-modify-write is atomic, and forbids waiting meanwhile.
//!
//! Values stored are plain data: a captured (shared) variable is stored as its value, and a
//! value nested deeper than the run's `depth` limit is refused where it is written, so the store
//! can always be converted to JSON and dropped without deep recursion.

use std::cell::RefCell;
use std::sync::Arc;

use parking_lot::ReentrantMutex;
use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext, Position};

use super::{TooDeep, check_depth};
use crate::co;

/// A handle to a run's shared store (cloning shares the store).
#[derive(Clone, Default)]
pub(crate) struct Store(Arc<Inner>);

#[derive(Default)]
struct Inner {
    map: ReentrantMutex<RefCell<Map>>,
    /// The deepest nesting a stored value may have (0: the default limit).
    depth: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<shared store>")
    }
}

impl Store {
    /// A store holding `map`, refusing values nested deeper than `depth`.
    pub(crate) fn new(map: Map, depth: usize) -> Self {
        Self(Arc::new(Inner {
            map: ReentrantMutex::new(RefCell::new(map)),
            depth,
        }))
    }

    fn lock(&self) -> parking_lot::ReentrantMutexGuard<'_, RefCell<Map>> {
        self.0.map.lock()
    }

    /// The value under `key` (`()` when missing).
    pub(crate) fn get(&self, key: &str) -> Dynamic {
        let guard = self.lock();
        let map = guard.borrow();
        map.get(key).cloned().unwrap_or(Dynamic::UNIT)
    }

    /// Set `key` to `value`; a value nested too deeply is refused.
    pub(crate) fn set(&self, key: &str, value: Dynamic) -> Result<(), String> {
        let value = self.admit(key, value, 0)?;
        let guard = self.lock();
        guard.borrow_mut().insert(key.into(), value);
        Ok(())
    }

    /// `value` as it may be stored under `key` at `extra` levels below the key: flattened, and
    /// within the depth limit.
    fn admit(&self, key: &str, value: Dynamic, extra: usize) -> Result<Dynamic, String> {
        let limit = if self.0.depth == 0 {
            crate::limits::Limits::default().depth
        } else {
            self.0.depth
        };
        let value = value.flatten();
        check_depth(&value, limit.saturating_sub(extra))
            .map_err(|_| format!("shared.{key}: the value {}", TooDeep { limit }))?;
        Ok(value)
    }

    /// A copy of the whole store.
    pub(crate) fn snapshot(&self) -> Map {
        self.lock().borrow().clone()
    }

    /// The store as a JSON object.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        // Converted in place, under the lock: no copy of the store is made first.
        super::map_to_json(&self.lock().borrow())
    }

    fn push(&self, key: &str, value: Dynamic) -> Result<(), String> {
        let value = self.admit(key, value, 1)?;
        let guard = self.lock();
        let mut map = guard.borrow_mut();
        let slot = map
            .entry(key.into())
            .or_insert_with(|| Dynamic::from_array(Array::new()));
        if slot.is_unit() {
            *slot = Dynamic::from_array(Array::new());
        }
        let type_name = slot.type_name();
        match slot.write_lock::<Array>() {
            Some(mut arr) => {
                arr.push(value);
                Ok(())
            }
            None => Err(format!(
                "shared.push(\"{key}\", …): shared.{key} is {type_name}, not an array"
            )),
        }
    }

    fn update(
        &self,
        ctx: &NativeCallContext,
        key: &str,
        f: &FnPtr,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        // Held across the closure so concurrent updates serialise; re-entrant so the closure may
        // still read the store on this thread.
        let guard = self.lock();
        let old = guard.borrow().get(key).cloned().unwrap_or(Dynamic::UNIT);
        let new = co::without_suspend(
            "shared.update's closure, which holds the store's lock",
            || f.call_within_context::<Dynamic>(ctx, (old,)),
        )?;
        let new = self
            .admit(key, new, 0)
            .map_err(|m| runtime_error(m, ctx.call_position()))?;
        guard.borrow_mut().insert(key.into(), new.clone());
        Ok(new)
    }
}

fn runtime_error(msg: String, pos: Position) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(msg.into(), pos).into()
}

/// Register the `shared` handle's type and methods.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Store>("SharedStore")
        .register_indexer_get(|s: &mut Store, key: &str| s.get(key))
        .register_indexer_set(
            |ctx: NativeCallContext, s: &mut Store, key: &str, value: Dynamic| {
                s.set(key, value)
                    .map_err(|m| runtime_error(m, ctx.call_position()))
            },
        )
        .register_fn(
            "push",
            |ctx: NativeCallContext, s: &mut Store, key: &str, value: Dynamic| {
                s.push(key, value)
                    .map_err(|m| runtime_error(m, ctx.call_position()))
            },
        )
        .register_fn(
            "update",
            |ctx: NativeCallContext, s: &mut Store, key: &str, f: FnPtr| s.update(&ctx, key, &f),
        )
        .register_fn("contains", |s: &mut Store, key: &str| {
            s.lock().borrow().contains_key(key)
        })
        .register_fn("remove", |s: &mut Store, key: &str| {
            s.lock().borrow_mut().remove(key).unwrap_or(Dynamic::UNIT)
        })
        .register_fn("keys", |s: &mut Store| -> Array {
            s.lock()
                .borrow()
                .keys()
                .map(|k| Dynamic::from(k.clone()))
                .collect()
        })
        .register_fn("to_map", |s: &mut Store| s.snapshot())
        .register_fn("to_string", |s: &mut Store| {
            format!("{}", Dynamic::from_map(s.snapshot()))
        })
        .register_fn("to_debug", |s: &mut Store| {
            format!("{:?}", Dynamic::from_map(s.snapshot()))
        });
}
