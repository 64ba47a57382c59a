//! Step tracing: a hook called before every opcode, and a tracer that
//! writes EIP-3155 JSON lines, closed by the EIP's summary line.

use alloc::string::String;
use core::fmt::Write;

use dfn_state::{B256, U256};

use crate::opcode;

/// The machine state before one opcode runs.
#[derive(Clone, Copy, Debug)]
pub struct Step<'a> {
    /// Program counter.
    pub pc: usize,
    /// The opcode.
    pub op: u8,
    /// Gas left before the opcode.
    pub gas: u64,
    /// The opcode's static gas (its dynamic part is not known before it runs).
    pub gas_cost: u64,
    /// The stack, bottom first.
    pub stack: &'a [U256],
    /// Memory size in bytes.
    pub memory_size: usize,
    /// Call depth, 1 for the transaction's own frame.
    pub depth: usize,
    /// The frame's refund counter so far.
    pub refund: i64,
    /// The last call's return data.
    pub return_data: &'a [u8],
}

/// Receives every step of the interpreter.
pub trait Tracer {
    /// Called before each opcode.
    fn step(&mut self, step: &Step<'_>);
}

/// Collects EIP-3155 lines (`{"pc":..,"op":..,"gas":"0x..",...}`), one
/// per step, each ending in a newline.
#[derive(Clone, Debug, Default)]
pub struct JsonTracer {
    /// The lines written so far.
    pub output: String,
}

impl Tracer for JsonTracer {
    fn step(&mut self, s: &Step<'_>) {
        let out = &mut self.output;
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            "{{\"pc\":{},\"op\":{},\"gas\":\"{:#x}\",\"gasCost\":\"{:#x}\",\"memSize\":{},\"stack\":[",
            s.pc, s.op, s.gas, s.gas_cost, s.memory_size
        );
        for (i, v) in s.stack.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let _ = write!(out, "{sep}\"{v:#x}\"");
        }
        let _ = write!(out, "],\"depth\":{},\"returnData\":\"0x", s.depth);
        for b in s.return_data {
            let _ = write!(out, "{b:02x}");
        }
        let _ = writeln!(
            out,
            "\",\"refund\":{},\"opName\":\"{}\"}}",
            s.refund,
            opcode::name(s.op)
        );
    }
}

/// What EIP-3155 prints after the last step of a transaction.
///
/// The state root is the host's to compute (the interpreter sees state
/// only through [`crate::Host`]), and the time is the caller's to
/// measure: the crate reads no clock.
#[derive(Clone, Copy, Debug)]
pub struct Summary<'a> {
    /// The state root after the transaction.
    pub state_root: B256,
    /// The transaction's return (or revert) data.
    pub output: &'a [u8],
    /// Gas used by the whole transaction, after refunds.
    pub gas_used: u64,
    /// Whether the transaction executed as expected (for a test runner:
    /// the post-state matched; otherwise, usually, whether it succeeded).
    pub pass: bool,
    /// The fork's name ([`crate::Spec::name`]), if printed.
    pub fork: Option<&'a str>,
    /// Execution time in nanoseconds, if measured.
    pub time_ns: Option<u64>,
}

impl JsonTracer {
    /// Appends the EIP-3155 summary line:
    /// `{"stateRoot":"0x..","output":"0x..","gasUsed":"0x..","pass":true}`,
    /// with `"fork"` and `"time"` when given.
    pub fn summary(&mut self, s: &Summary<'_>) {
        let out = &mut self.output;
        let _ = write!(out, "{{\"stateRoot\":\"0x");
        for b in s.state_root.0 {
            let _ = write!(out, "{b:02x}");
        }
        let _ = write!(out, "\",\"output\":\"0x");
        for b in s.output {
            let _ = write!(out, "{b:02x}");
        }
        let _ = write!(
            out,
            "\",\"gasUsed\":\"{:#x}\",\"pass\":{}",
            s.gas_used, s.pass
        );
        if let Some(fork) = s.fork {
            // Fork names are plain identifiers; quotes and backslashes
            // are dropped rather than escaped.
            let _ = write!(out, ",\"fork\":\"");
            out.extend(fork.chars().filter(|c| *c != '"' && *c != '\\'));
            out.push('"');
        }
        if let Some(time) = s.time_ns {
            let _ = write!(out, ",\"time\":{time}");
        }
        let _ = writeln!(out, "}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format() {
        let mut t = JsonTracer::default();
        t.step(&Step {
            pc: 2,
            op: opcode::ADD,
            gas: 100,
            gas_cost: 3,
            stack: &[U256::from(1), U256::from(255)],
            memory_size: 0,
            depth: 1,
            refund: 0,
            return_data: &[],
        });
        assert_eq!(
            t.output,
            "{\"pc\":2,\"op\":1,\"gas\":\"0x64\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[\"0x1\",\"0xff\"],\"depth\":1,\"returnData\":\"0x\",\"refund\":0,\"opName\":\"ADD\"}\n"
        );
    }

    #[test]
    fn summary_format() {
        let mut t = JsonTracer::default();
        t.summary(&Summary {
            state_root: B256([0xab; 32]),
            output: &[0x01, 0xff],
            gas_used: 21_000,
            pass: true,
            fork: Some("Cancun"),
            time_ns: Some(1234),
        });
        let root = "ab".repeat(32);
        assert_eq!(
            t.output,
            format!(
                "{{\"stateRoot\":\"0x{root}\",\"output\":\"0x01ff\",\"gasUsed\":\"0x5208\",\"pass\":true,\"fork\":\"Cancun\",\"time\":1234}}\n"
            )
        );
        let mut t = JsonTracer::default();
        t.summary(&Summary {
            state_root: B256::ZERO,
            output: &[],
            gas_used: 0,
            pass: false,
            fork: None,
            time_ns: None,
        });
        assert!(
            t.output
                .ends_with("\"output\":\"0x\",\"gasUsed\":\"0x0\",\"pass\":false}\n")
        );
    }
}
