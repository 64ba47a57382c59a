//! The canonical RLP of a shard block (the inputs of its tower level) and
//! of a block's effects (requests sent, answers given), whose hash the
//! level root commits.
//!
//! ```text
//! block     = [1, pre_state_root, pre_effects, number, timestamp, [delivery...], [tx...]]
//! delivery  = [0, origin_kind, origin_a, origin_b, caller, callee, value, gas, calldata]
//!           | [1, id, caller, callback, gas, status, data, refund]
//! origin    = kind 0: (shard, call) · kind 1: (id, 0)
//! tx        = [type, sender, to | "", nonce, gas_limit, max_fee, max_priority_fee,
//!              value, data, [[address, [key...]]...], [blob_hash...], max_fee_per_blob_gas]
//! effects   = [[emitted...], [answer...]]
//! emitted   = [id, caller, callee, value, callback, gas, callback_gas, calldata]
//! answer    = [origin_kind, origin_a, origin_b, caller, callee, refund, status, data]
//! ```

use alloc::vec::Vec;

use dfn_state::rlp::{
    Decode, Encode, Rlp, RlpError, encode_fields, encode_list, fields_len, list_items, list_len,
};
use dfn_state::shard::ShardId;
use dfn_state::stream::CallId;
use dfn_state::{Address, B256, keccak256};

use super::block::{Answer, Delivery, Origin, ShardBlock};
use super::system::{Emitted, Status};
use crate::transaction::{AccessListItem, Transaction, TxType};

/// Version of the block encoding (its first item).
pub const BLOCK_VERSION: u64 = 1;

/// A slice of items encoded as one RLP list.
struct List<'a, T>(&'a [T]);

impl<T: Encode> Encode for List<'_, T> {
    fn encoded_len(&self) -> usize {
        list_len(self.0)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_list(self.0, out);
    }
}

/// An item given as its field list.
struct Fields<'a>(Vec<&'a dyn Encode>);

impl Encode for Fields<'_> {
    fn encoded_len(&self) -> usize {
        fields_len(&self.0)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_fields(&self.0, out);
    }
}

fn origin_parts(origin: &Origin) -> (u8, u64, u64) {
    match origin {
        Origin::Remote { shard, call } => (0, u64::from(shard.0), call.0),
        Origin::Local { id } => (1, *id, 0),
    }
}

fn origin_from(kind: u8, a: u64, b: u64, at: &Rlp<'_>) -> Result<Origin, RlpError> {
    match (kind, u32::try_from(a)) {
        (0, Ok(shard)) => Ok(Origin::Remote {
            shard: ShardId(shard),
            call: CallId(b),
        }),
        (1, _) if b == 0 => Ok(Origin::Local { id: a }),
        _ => Err(invalid(at, "unknown origin")),
    }
}

fn invalid(at: &Rlp<'_>, what: &'static str) -> RlpError {
    RlpError::Invalid {
        offset: at.offset(),
        what,
    }
}

fn status_from(at: &Rlp<'_>) -> Result<Status, RlpError> {
    Status::from_code(at.decode()?).ok_or_else(|| invalid(at, "unknown status"))
}

struct DeliveryRlp<'a>(&'a Delivery);

impl DeliveryRlp<'_> {
    fn with<R>(&self, f: impl FnOnce(&[&dyn Encode]) -> R) -> R {
        match self.0 {
            Delivery::Call {
                origin,
                caller,
                callee,
                value,
                gas,
                calldata,
            } => {
                let (kind, a, b) = origin_parts(origin);
                f(&[&0u8, &kind, &a, &b, caller, callee, value, gas, calldata])
            }
            Delivery::Reply {
                id,
                caller,
                callback,
                gas,
                status,
                data,
                refund,
            } => f(&[
                &1u8,
                id,
                caller,
                callback,
                gas,
                &status.code(),
                data,
                refund,
            ]),
        }
    }
}

impl Encode for DeliveryRlp<'_> {
    fn encoded_len(&self) -> usize {
        self.with(fields_len)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.with(|fields| encode_fields(fields, out));
    }
}

fn decode_delivery(rlp: &Rlp<'_>) -> Result<Delivery, RlpError> {
    let items = list_items(rlp)?;
    match items.as_slice() {
        [tag, kind, a, b, caller, callee, value, gas, calldata] if tag.decode::<u8>()? == 0 => {
            Ok(Delivery::Call {
                origin: origin_from(kind.decode()?, a.decode()?, b.decode()?, kind)?,
                caller: caller.decode()?,
                callee: callee.decode()?,
                value: value.decode()?,
                gas: gas.decode()?,
                calldata: calldata.decode()?,
            })
        }
        [tag, id, caller, callback, gas, status, data, refund] if tag.decode::<u8>()? == 1 => {
            Ok(Delivery::Reply {
                id: id.decode()?,
                caller: caller.decode()?,
                callback: callback.decode()?,
                gas: gas.decode()?,
                status: status_from(status)?,
                data: data.decode()?,
                refund: refund.decode()?,
            })
        }
        _ => Err(invalid(rlp, "not a delivery")),
    }
}

fn tx_type_code(t: TxType) -> u8 {
    match t {
        TxType::Legacy => 0,
        TxType::AccessList => 1,
        TxType::Eip1559 => 2,
        TxType::Blob => 3,
    }
}

struct AccessRlp<'a>(&'a AccessListItem);

impl Encode for AccessRlp<'_> {
    fn encoded_len(&self) -> usize {
        fields_len(&[&self.0.address, &List(&self.0.storage_keys)])
    }
    fn encode(&self, out: &mut Vec<u8>) {
        encode_fields(&[&self.0.address, &List(&self.0.storage_keys)], out);
    }
}

struct TxRlp<'a>(&'a Transaction);

impl TxRlp<'_> {
    fn with<R>(&self, f: impl FnOnce(&[&dyn Encode]) -> R) -> R {
        let tx = self.0;
        let to: &[u8] = tx.to.as_ref().map_or(&[], |a| &a.0);
        let access: Vec<AccessRlp<'_>> = tx.access_list.iter().map(AccessRlp).collect();
        f(&[
            &tx_type_code(tx.tx_type),
            &tx.sender,
            &to,
            &tx.nonce,
            &tx.gas_limit,
            &tx.max_fee_per_gas,
            &tx.max_priority_fee_per_gas,
            &tx.value,
            &tx.data,
            &List(&access),
            &List(&tx.blob_versioned_hashes),
            &tx.max_fee_per_blob_gas,
        ])
    }
}

impl Encode for TxRlp<'_> {
    fn encoded_len(&self) -> usize {
        self.with(fields_len)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.with(|fields| encode_fields(fields, out));
    }
}

fn decode_tx(rlp: &Rlp<'_>) -> Result<Transaction, RlpError> {
    let [
        kind,
        sender,
        to,
        nonce,
        gas_limit,
        max_fee,
        priority,
        value,
        data,
        access,
        blobs,
        blob_fee,
    ] = rlp.fixed_list::<12>()?;
    let tx_type = match kind.decode::<u8>()? {
        0 => TxType::Legacy,
        1 => TxType::AccessList,
        2 => TxType::Eip1559,
        3 => TxType::Blob,
        _ => return Err(invalid(&kind, "unknown transaction type")),
    };
    let to = match to.data()? {
        [] => None,
        bytes => Some(Address::from_slice(bytes).ok_or_else(|| invalid(&to, "not an address"))?),
    };
    let access_list = access
        .list()?
        .map(|item| {
            let [address, keys] = item?.fixed_list::<2>()?;
            Ok(AccessListItem {
                address: address.decode()?,
                storage_keys: keys
                    .list()?
                    .map(|k| k?.decode())
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect::<Result<_, RlpError>>()?;
    Ok(Transaction {
        tx_type,
        sender: sender.decode()?,
        to,
        nonce: nonce.decode()?,
        gas_limit: gas_limit.decode()?,
        max_fee_per_gas: max_fee.decode()?,
        max_priority_fee_per_gas: priority.decode()?,
        value: value.decode()?,
        data: data.decode()?,
        access_list,
        blob_versioned_hashes: blobs
            .list()?
            .map(|h| h?.decode())
            .collect::<Result<_, _>>()?,
        max_fee_per_blob_gas: blob_fee.decode()?,
    })
}

impl Encode for ShardBlock {
    fn encoded_len(&self) -> usize {
        self.with(fields_len)
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.with(|fields| encode_fields(fields, out));
    }
}

impl ShardBlock {
    fn with<R>(&self, f: impl FnOnce(&[&dyn Encode]) -> R) -> R {
        let deliveries: Vec<DeliveryRlp<'_>> = self.deliveries.iter().map(DeliveryRlp).collect();
        let txs: Vec<TxRlp<'_>> = self.txs.iter().map(TxRlp).collect();
        f(&[
            &BLOCK_VERSION,
            &self.pre_state_root,
            &self.pre_effects,
            &self.number,
            &self.timestamp,
            &List(&deliveries),
            &List(&txs),
        ])
    }
}

impl Decode for ShardBlock {
    fn decode(rlp: &Rlp<'_>) -> Result<Self, RlpError> {
        let [
            version,
            pre_state_root,
            pre_effects,
            number,
            timestamp,
            deliveries,
            txs,
        ] = rlp.fixed_list::<7>()?;
        if version.decode::<u64>()? != BLOCK_VERSION {
            return Err(invalid(&version, "unknown block version"));
        }
        Ok(Self {
            pre_state_root: pre_state_root.decode()?,
            pre_effects: pre_effects.decode()?,
            number: number.decode()?,
            timestamp: timestamp.decode()?,
            deliveries: deliveries
                .list()?
                .map(|d| decode_delivery(&d?))
                .collect::<Result<_, _>>()?,
            txs: txs
                .list()?
                .map(|t| decode_tx(&t?))
                .collect::<Result<_, _>>()?,
        })
    }
}

struct EmittedRlp<'a>(&'a Emitted);

impl EmittedRlp<'_> {
    fn fields(&self) -> Fields<'_> {
        let e = self.0;
        Fields(alloc::vec![
            &e.id,
            &e.caller,
            &e.callee,
            &e.value,
            &e.callback,
            &e.gas,
            &e.callback_gas,
            &e.calldata,
        ])
    }
}

impl Encode for EmittedRlp<'_> {
    fn encoded_len(&self) -> usize {
        self.fields().encoded_len()
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.fields().encode(out);
    }
}

struct AnswerRlp<'a>(&'a Answer, (u8, u64, u64), u8);

impl AnswerRlp<'_> {
    fn fields(&self) -> Fields<'_> {
        let (a, (kind, x, y), status) = (self.0, &self.1, &self.2);
        Fields(alloc::vec![
            kind, x, y, &a.caller, &a.callee, &a.refund, status, &a.data,
        ])
    }
}

impl Encode for AnswerRlp<'_> {
    fn encoded_len(&self) -> usize {
        self.fields().encoded_len()
    }
    fn encode(&self, out: &mut Vec<u8>) {
        self.fields().encode(out);
    }
}

/// The hash of a block's effects: the requests it sent and the answers it
/// gave, in order (`keccak256(rlp(effects))`).
#[must_use]
pub fn effects_hash(emitted: &[Emitted], answers: &[Answer]) -> B256 {
    let emitted: Vec<EmittedRlp<'_>> = emitted.iter().map(EmittedRlp).collect();
    let answers: Vec<AnswerRlp<'_>> = answers
        .iter()
        .map(|a| AnswerRlp(a, origin_parts(&a.origin), a.status.code()))
        .collect();
    keccak256(Fields(alloc::vec![&List(&emitted), &List(&answers)]).to_rlp())
}
