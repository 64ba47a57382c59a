//! Opcode bytes and their mnemonics.

/// `STOP` (0x00).
pub const STOP: u8 = 0x00;
/// `ADD` (0x01).
pub const ADD: u8 = 0x01;
/// `MUL` (0x02).
pub const MUL: u8 = 0x02;
/// `SUB` (0x03).
pub const SUB: u8 = 0x03;
/// `DIV` (0x04).
pub const DIV: u8 = 0x04;
/// `SDIV` (0x05).
pub const SDIV: u8 = 0x05;
/// `MOD` (0x06).
pub const MOD: u8 = 0x06;
/// `SMOD` (0x07).
pub const SMOD: u8 = 0x07;
/// `ADDMOD` (0x08).
pub const ADDMOD: u8 = 0x08;
/// `MULMOD` (0x09).
pub const MULMOD: u8 = 0x09;
/// `EXP` (0x0a).
pub const EXP: u8 = 0x0a;
/// `SIGNEXTEND` (0x0b).
pub const SIGNEXTEND: u8 = 0x0b;
/// `LT` (0x10).
pub const LT: u8 = 0x10;
/// `GT` (0x11).
pub const GT: u8 = 0x11;
/// `SLT` (0x12).
pub const SLT: u8 = 0x12;
/// `SGT` (0x13).
pub const SGT: u8 = 0x13;
/// `EQ` (0x14).
pub const EQ: u8 = 0x14;
/// `ISZERO` (0x15).
pub const ISZERO: u8 = 0x15;
/// `AND` (0x16).
pub const AND: u8 = 0x16;
/// `OR` (0x17).
pub const OR: u8 = 0x17;
/// `XOR` (0x18).
pub const XOR: u8 = 0x18;
/// `NOT` (0x19).
pub const NOT: u8 = 0x19;
/// `BYTE` (0x1a).
pub const BYTE: u8 = 0x1a;
/// `SHL` (0x1b).
pub const SHL: u8 = 0x1b;
/// `SHR` (0x1c).
pub const SHR: u8 = 0x1c;
/// `SAR` (0x1d).
pub const SAR: u8 = 0x1d;
/// `KECCAK256` (0x20).
pub const KECCAK256: u8 = 0x20;
/// `ADDRESS` (0x30).
pub const ADDRESS: u8 = 0x30;
/// `BALANCE` (0x31).
pub const BALANCE: u8 = 0x31;
/// `ORIGIN` (0x32).
pub const ORIGIN: u8 = 0x32;
/// `CALLER` (0x33).
pub const CALLER: u8 = 0x33;
/// `CALLVALUE` (0x34).
pub const CALLVALUE: u8 = 0x34;
/// `CALLDATALOAD` (0x35).
pub const CALLDATALOAD: u8 = 0x35;
/// `CALLDATASIZE` (0x36).
pub const CALLDATASIZE: u8 = 0x36;
/// `CALLDATACOPY` (0x37).
pub const CALLDATACOPY: u8 = 0x37;
/// `CODESIZE` (0x38).
pub const CODESIZE: u8 = 0x38;
/// `CODECOPY` (0x39).
pub const CODECOPY: u8 = 0x39;
/// `GASPRICE` (0x3a).
pub const GASPRICE: u8 = 0x3a;
/// `EXTCODESIZE` (0x3b).
pub const EXTCODESIZE: u8 = 0x3b;
/// `EXTCODECOPY` (0x3c).
pub const EXTCODECOPY: u8 = 0x3c;
/// `RETURNDATASIZE` (0x3d).
pub const RETURNDATASIZE: u8 = 0x3d;
/// `RETURNDATACOPY` (0x3e).
pub const RETURNDATACOPY: u8 = 0x3e;
/// `EXTCODEHASH` (0x3f).
pub const EXTCODEHASH: u8 = 0x3f;
/// `BLOCKHASH` (0x40).
pub const BLOCKHASH: u8 = 0x40;
/// `COINBASE` (0x41).
pub const COINBASE: u8 = 0x41;
/// `TIMESTAMP` (0x42).
pub const TIMESTAMP: u8 = 0x42;
/// `NUMBER` (0x43).
pub const NUMBER: u8 = 0x43;
/// `PREVRANDAO` (0x44).
pub const PREVRANDAO: u8 = 0x44;
/// `GASLIMIT` (0x45).
pub const GASLIMIT: u8 = 0x45;
/// `CHAINID` (0x46).
pub const CHAINID: u8 = 0x46;
/// `SELFBALANCE` (0x47).
pub const SELFBALANCE: u8 = 0x47;
/// `BASEFEE` (0x48).
pub const BASEFEE: u8 = 0x48;
/// `BLOBHASH` (0x49).
pub const BLOBHASH: u8 = 0x49;
/// `BLOBBASEFEE` (0x4a).
pub const BLOBBASEFEE: u8 = 0x4a;
/// `POP` (0x50).
pub const POP: u8 = 0x50;
/// `MLOAD` (0x51).
pub const MLOAD: u8 = 0x51;
/// `MSTORE` (0x52).
pub const MSTORE: u8 = 0x52;
/// `MSTORE8` (0x53).
pub const MSTORE8: u8 = 0x53;
/// `SLOAD` (0x54).
pub const SLOAD: u8 = 0x54;
/// `SSTORE` (0x55).
pub const SSTORE: u8 = 0x55;
/// `JUMP` (0x56).
pub const JUMP: u8 = 0x56;
/// `JUMPI` (0x57).
pub const JUMPI: u8 = 0x57;
/// `PC` (0x58).
pub const PC: u8 = 0x58;
/// `MSIZE` (0x59).
pub const MSIZE: u8 = 0x59;
/// `GAS` (0x5a).
pub const GAS: u8 = 0x5a;
/// `JUMPDEST` (0x5b).
pub const JUMPDEST: u8 = 0x5b;
/// `TLOAD` (0x5c).
pub const TLOAD: u8 = 0x5c;
/// `TSTORE` (0x5d).
pub const TSTORE: u8 = 0x5d;
/// `MCOPY` (0x5e).
pub const MCOPY: u8 = 0x5e;
/// `PUSH0` (0x5f).
pub const PUSH0: u8 = 0x5f;
/// `PUSH1` (0x60).
pub const PUSH1: u8 = 0x60;
/// `PUSH2` (0x61).
pub const PUSH2: u8 = 0x61;
/// `PUSH3` (0x62).
pub const PUSH3: u8 = 0x62;
/// `PUSH4` (0x63).
pub const PUSH4: u8 = 0x63;
/// `PUSH5` (0x64).
pub const PUSH5: u8 = 0x64;
/// `PUSH6` (0x65).
pub const PUSH6: u8 = 0x65;
/// `PUSH7` (0x66).
pub const PUSH7: u8 = 0x66;
/// `PUSH8` (0x67).
pub const PUSH8: u8 = 0x67;
/// `PUSH9` (0x68).
pub const PUSH9: u8 = 0x68;
/// `PUSH10` (0x69).
pub const PUSH10: u8 = 0x69;
/// `PUSH11` (0x6a).
pub const PUSH11: u8 = 0x6a;
/// `PUSH12` (0x6b).
pub const PUSH12: u8 = 0x6b;
/// `PUSH13` (0x6c).
pub const PUSH13: u8 = 0x6c;
/// `PUSH14` (0x6d).
pub const PUSH14: u8 = 0x6d;
/// `PUSH15` (0x6e).
pub const PUSH15: u8 = 0x6e;
/// `PUSH16` (0x6f).
pub const PUSH16: u8 = 0x6f;
/// `PUSH17` (0x70).
pub const PUSH17: u8 = 0x70;
/// `PUSH18` (0x71).
pub const PUSH18: u8 = 0x71;
/// `PUSH19` (0x72).
pub const PUSH19: u8 = 0x72;
/// `PUSH20` (0x73).
pub const PUSH20: u8 = 0x73;
/// `PUSH21` (0x74).
pub const PUSH21: u8 = 0x74;
/// `PUSH22` (0x75).
pub const PUSH22: u8 = 0x75;
/// `PUSH23` (0x76).
pub const PUSH23: u8 = 0x76;
/// `PUSH24` (0x77).
pub const PUSH24: u8 = 0x77;
/// `PUSH25` (0x78).
pub const PUSH25: u8 = 0x78;
/// `PUSH26` (0x79).
pub const PUSH26: u8 = 0x79;
/// `PUSH27` (0x7a).
pub const PUSH27: u8 = 0x7a;
/// `PUSH28` (0x7b).
pub const PUSH28: u8 = 0x7b;
/// `PUSH29` (0x7c).
pub const PUSH29: u8 = 0x7c;
/// `PUSH30` (0x7d).
pub const PUSH30: u8 = 0x7d;
/// `PUSH31` (0x7e).
pub const PUSH31: u8 = 0x7e;
/// `PUSH32` (0x7f).
pub const PUSH32: u8 = 0x7f;
/// `DUP1` (0x80).
pub const DUP1: u8 = 0x80;
/// `DUP2` (0x81).
pub const DUP2: u8 = 0x81;
/// `DUP3` (0x82).
pub const DUP3: u8 = 0x82;
/// `DUP4` (0x83).
pub const DUP4: u8 = 0x83;
/// `DUP5` (0x84).
pub const DUP5: u8 = 0x84;
/// `DUP6` (0x85).
pub const DUP6: u8 = 0x85;
/// `DUP7` (0x86).
pub const DUP7: u8 = 0x86;
/// `DUP8` (0x87).
pub const DUP8: u8 = 0x87;
/// `DUP9` (0x88).
pub const DUP9: u8 = 0x88;
/// `DUP10` (0x89).
pub const DUP10: u8 = 0x89;
/// `DUP11` (0x8a).
pub const DUP11: u8 = 0x8a;
/// `DUP12` (0x8b).
pub const DUP12: u8 = 0x8b;
/// `DUP13` (0x8c).
pub const DUP13: u8 = 0x8c;
/// `DUP14` (0x8d).
pub const DUP14: u8 = 0x8d;
/// `DUP15` (0x8e).
pub const DUP15: u8 = 0x8e;
/// `DUP16` (0x8f).
pub const DUP16: u8 = 0x8f;
/// `SWAP1` (0x90).
pub const SWAP1: u8 = 0x90;
/// `SWAP2` (0x91).
pub const SWAP2: u8 = 0x91;
/// `SWAP3` (0x92).
pub const SWAP3: u8 = 0x92;
/// `SWAP4` (0x93).
pub const SWAP4: u8 = 0x93;
/// `SWAP5` (0x94).
pub const SWAP5: u8 = 0x94;
/// `SWAP6` (0x95).
pub const SWAP6: u8 = 0x95;
/// `SWAP7` (0x96).
pub const SWAP7: u8 = 0x96;
/// `SWAP8` (0x97).
pub const SWAP8: u8 = 0x97;
/// `SWAP9` (0x98).
pub const SWAP9: u8 = 0x98;
/// `SWAP10` (0x99).
pub const SWAP10: u8 = 0x99;
/// `SWAP11` (0x9a).
pub const SWAP11: u8 = 0x9a;
/// `SWAP12` (0x9b).
pub const SWAP12: u8 = 0x9b;
/// `SWAP13` (0x9c).
pub const SWAP13: u8 = 0x9c;
/// `SWAP14` (0x9d).
pub const SWAP14: u8 = 0x9d;
/// `SWAP15` (0x9e).
pub const SWAP15: u8 = 0x9e;
/// `SWAP16` (0x9f).
pub const SWAP16: u8 = 0x9f;
/// `LOG0` (0xa0).
pub const LOG0: u8 = 0xa0;
/// `LOG1` (0xa1).
pub const LOG1: u8 = 0xa1;
/// `LOG2` (0xa2).
pub const LOG2: u8 = 0xa2;
/// `LOG3` (0xa3).
pub const LOG3: u8 = 0xa3;
/// `LOG4` (0xa4).
pub const LOG4: u8 = 0xa4;
/// `CREATE` (0xf0).
pub const CREATE: u8 = 0xf0;
/// `CALL` (0xf1).
pub const CALL: u8 = 0xf1;
/// `CALLCODE` (0xf2).
pub const CALLCODE: u8 = 0xf2;
/// `RETURN` (0xf3).
pub const RETURN: u8 = 0xf3;
/// `DELEGATECALL` (0xf4).
pub const DELEGATECALL: u8 = 0xf4;
/// `CREATE2` (0xf5).
pub const CREATE2: u8 = 0xf5;
/// `STATICCALL` (0xfa).
pub const STATICCALL: u8 = 0xfa;
/// `REVERT` (0xfd).
pub const REVERT: u8 = 0xfd;
/// `INVALID` (0xfe).
pub const INVALID: u8 = 0xfe;
/// `SELFDESTRUCT` (0xff).
pub const SELFDESTRUCT: u8 = 0xff;

/// The mnemonic of an opcode byte (`"UNDEFINED"` for an unassigned one), as
/// EIP-3155 traces print it.
#[must_use]
pub const fn name(op: u8) -> &'static str {
    match op {
        0x00 => "STOP",
        0x01 => "ADD",
        0x02 => "MUL",
        0x03 => "SUB",
        0x04 => "DIV",
        0x05 => "SDIV",
        0x06 => "MOD",
        0x07 => "SMOD",
        0x08 => "ADDMOD",
        0x09 => "MULMOD",
        0x0a => "EXP",
        0x0b => "SIGNEXTEND",
        0x10 => "LT",
        0x11 => "GT",
        0x12 => "SLT",
        0x13 => "SGT",
        0x14 => "EQ",
        0x15 => "ISZERO",
        0x16 => "AND",
        0x17 => "OR",
        0x18 => "XOR",
        0x19 => "NOT",
        0x1a => "BYTE",
        0x1b => "SHL",
        0x1c => "SHR",
        0x1d => "SAR",
        0x20 => "KECCAK256",
        0x30 => "ADDRESS",
        0x31 => "BALANCE",
        0x32 => "ORIGIN",
        0x33 => "CALLER",
        0x34 => "CALLVALUE",
        0x35 => "CALLDATALOAD",
        0x36 => "CALLDATASIZE",
        0x37 => "CALLDATACOPY",
        0x38 => "CODESIZE",
        0x39 => "CODECOPY",
        0x3a => "GASPRICE",
        0x3b => "EXTCODESIZE",
        0x3c => "EXTCODECOPY",
        0x3d => "RETURNDATASIZE",
        0x3e => "RETURNDATACOPY",
        0x3f => "EXTCODEHASH",
        0x40 => "BLOCKHASH",
        0x41 => "COINBASE",
        0x42 => "TIMESTAMP",
        0x43 => "NUMBER",
        0x44 => "PREVRANDAO",
        0x45 => "GASLIMIT",
        0x46 => "CHAINID",
        0x47 => "SELFBALANCE",
        0x48 => "BASEFEE",
        0x49 => "BLOBHASH",
        0x4a => "BLOBBASEFEE",
        0x50 => "POP",
        0x51 => "MLOAD",
        0x52 => "MSTORE",
        0x53 => "MSTORE8",
        0x54 => "SLOAD",
        0x55 => "SSTORE",
        0x56 => "JUMP",
        0x57 => "JUMPI",
        0x58 => "PC",
        0x59 => "MSIZE",
        0x5a => "GAS",
        0x5b => "JUMPDEST",
        0x5c => "TLOAD",
        0x5d => "TSTORE",
        0x5e => "MCOPY",
        0x5f => "PUSH0",
        0x60 => "PUSH1",
        0x61 => "PUSH2",
        0x62 => "PUSH3",
        0x63 => "PUSH4",
        0x64 => "PUSH5",
        0x65 => "PUSH6",
        0x66 => "PUSH7",
        0x67 => "PUSH8",
        0x68 => "PUSH9",
        0x69 => "PUSH10",
        0x6a => "PUSH11",
        0x6b => "PUSH12",
        0x6c => "PUSH13",
        0x6d => "PUSH14",
        0x6e => "PUSH15",
        0x6f => "PUSH16",
        0x70 => "PUSH17",
        0x71 => "PUSH18",
        0x72 => "PUSH19",
        0x73 => "PUSH20",
        0x74 => "PUSH21",
        0x75 => "PUSH22",
        0x76 => "PUSH23",
        0x77 => "PUSH24",
        0x78 => "PUSH25",
        0x79 => "PUSH26",
        0x7a => "PUSH27",
        0x7b => "PUSH28",
        0x7c => "PUSH29",
        0x7d => "PUSH30",
        0x7e => "PUSH31",
        0x7f => "PUSH32",
        0x80 => "DUP1",
        0x81 => "DUP2",
        0x82 => "DUP3",
        0x83 => "DUP4",
        0x84 => "DUP5",
        0x85 => "DUP6",
        0x86 => "DUP7",
        0x87 => "DUP8",
        0x88 => "DUP9",
        0x89 => "DUP10",
        0x8a => "DUP11",
        0x8b => "DUP12",
        0x8c => "DUP13",
        0x8d => "DUP14",
        0x8e => "DUP15",
        0x8f => "DUP16",
        0x90 => "SWAP1",
        0x91 => "SWAP2",
        0x92 => "SWAP3",
        0x93 => "SWAP4",
        0x94 => "SWAP5",
        0x95 => "SWAP6",
        0x96 => "SWAP7",
        0x97 => "SWAP8",
        0x98 => "SWAP9",
        0x99 => "SWAP10",
        0x9a => "SWAP11",
        0x9b => "SWAP12",
        0x9c => "SWAP13",
        0x9d => "SWAP14",
        0x9e => "SWAP15",
        0x9f => "SWAP16",
        0xa0 => "LOG0",
        0xa1 => "LOG1",
        0xa2 => "LOG2",
        0xa3 => "LOG3",
        0xa4 => "LOG4",
        0xf0 => "CREATE",
        0xf1 => "CALL",
        0xf2 => "CALLCODE",
        0xf3 => "RETURN",
        0xf4 => "DELEGATECALL",
        0xf5 => "CREATE2",
        0xfa => "STATICCALL",
        0xfd => "REVERT",
        0xfe => "INVALID",
        0xff => "SELFDESTRUCT",
        _ => "UNDEFINED",
    }
}
