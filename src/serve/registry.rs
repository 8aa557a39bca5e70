//! The flows a server serves: each file given to `flowscript serve`, loaded once at start and
//! served under its entry flow's name.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use flowscript_runtime::Program;
use flowscript_runtime::graph::render::mermaid;
use parking_lot::RwLock;
use serde::Serialize;

use super::node_map::NodeMap;

/// One loaded flow script, ready to run any number of times concurrently.
pub struct Flow {
    /// The entry flow's name: the flow's address (`/flows/{name}`).
    pub name: String,
    /// The script's path as given on the command line.
    pub file: String,
    /// The runnable program.
    pub program: Program,
    /// What `GET /flows/{name}` answers, built once.
    pub info: FlowInfo,
}

/// A flow as the API describes it.
#[derive(Clone, Serialize)]
pub struct FlowInfo {
    /// The entry flow's name.
    pub name: String,
    /// The script's path.
    pub file: String,
    /// The name of every node and flow in the graph, in the order the script made them.
    pub nodes: Vec<String>,
    /// The graph as a mermaid flowchart (what `flowscript graph` prints).
    pub mermaid: String,
    /// The drawing's nodes by id, for mapping a run's breadcrumbs onto the drawing.
    pub graph: NodeMap,
}

impl Flow {
    /// A flow served under its entry flow's name.
    pub fn new(file: &Path, program: Program) -> Self {
        let graph = program.graph();
        let name = graph
            .nodes
            .get(graph.entry)
            .map(|n| n.name.clone())
            .unwrap_or_default();
        let file = file.display().to_string();
        let info = FlowInfo {
            name: name.clone(),
            file: file.clone(),
            nodes: graph.nodes.iter().map(|n| n.name.clone()).collect(),
            mermaid: mermaid::render(graph),
            graph: NodeMap::of(graph),
        };
        Self {
            name,
            file,
            program,
            info,
        }
    }
}

/// Every served flow by name; `--reload` swaps a file's flow while runs of the old one go on
/// (each run holds its own program).
#[derive(Default)]
pub struct Registry {
    flows: RwLock<BTreeMap<String, Arc<Flow>>>,
}

impl Registry {
    /// Add a flow; a second flow with the same name is refused with a message naming both files.
    pub fn insert(&self, flow: Flow) -> Result<(), String> {
        let mut flows = self.flows.write();
        if let Some(other) = flows.get(&flow.name) {
            return Err(duplicate(&other.file, &flow.file, &flow.name));
        }
        flows.insert(flow.name.clone(), Arc::new(flow));
        Ok(())
    }

    /// Serve `flow` in place of the flow loaded from the same file (its entry name may have
    /// changed); refused, with the old one still served, if another file serves that name.
    pub fn replace(&self, flow: Flow) -> Result<(), String> {
        let mut flows = self.flows.write();
        if let Some(other) = flows.get(&flow.name).filter(|o| o.file != flow.file) {
            return Err(duplicate(&other.file, &flow.file, &flow.name));
        }
        flows.retain(|_, f| f.file != flow.file);
        flows.insert(flow.name.clone(), Arc::new(flow));
        Ok(())
    }

    /// The flow named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Flow>> {
        self.flows.read().get(name).cloned()
    }

    /// Every flow, by name.
    pub fn list(&self) -> Vec<Arc<Flow>> {
        self.flows.read().values().cloned().collect()
    }
}

fn duplicate(first: &str, second: &str, name: &str) -> String {
    format!(
        "{first} and {second} both define the flow `{name}`: each served flow needs its own \
         entry-flow name (the name in the script's last `flow(\"...\", ...)`)"
    )
}
