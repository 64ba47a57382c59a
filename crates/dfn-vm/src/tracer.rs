//! Step tracing: a hook called before every opcode, and a tracer that
//! writes EIP-3155 JSON lines.

use alloc::string::String;
use core::fmt::Write;

use dfn_state::U256;

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
}
