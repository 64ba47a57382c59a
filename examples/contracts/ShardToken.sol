// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// A token living on every shard, one instance per shard, whose holders can
/// send it to a holder on another shard with an asynchronous cross-shard
/// call (dfn-vm's shard runtime, `crates/dfn-vm/src/shard/mod.rs`).
///
/// Sending debits the sender at once and records the transfer under the
/// outbox's request id; the peer instance credits the recipient when the
/// request runs on its shard; the reply settles the record, and refunds the
/// sender on any failure (revert, out of gas, no contract, back-pressure).
/// At rest (no transfer in flight) the balances over all instances sum to
/// the supply minted at deployment.
contract ShardToken {
    /// The outbox: calling it sends a request.
    address constant OUTBOX = address(uint160(0xdF01));
    /// The relay: the sender of incoming requests and of replies.
    address constant RELAY = address(uint160(0xdF02));
    /// Gas for the callback: enough for `onReply`.
    uint64 constant CALLBACK_GAS = 100_000;

    struct Transfer {
        address from;
        uint256 amount;
    }

    mapping(address => uint256) public balanceOf; // slot 0
    mapping(address => bool) public isPeer; // slot 1
    mapping(uint256 => Transfer) public inFlight; // slot 2
    address public owner; // slot 3
    uint256 public pendingAmount; // slot 4: debited here, not yet settled

    event Sent(uint256 indexed id, address indexed from, address to, uint256 amount);
    event Settled(uint256 indexed id, uint256 status);

    constructor(address[] memory holders, uint256 each) {
        owner = msg.sender;
        for (uint256 i = 0; i < holders.length; i++) {
            balanceOf[holders[i]] += each;
        }
    }

    /// The instances on other shards this one accepts credits from.
    function addPeers(address[] calldata peers) external {
        require(msg.sender == owner, "owner only");
        for (uint256 i = 0; i < peers.length; i++) {
            isPeer[peers[i]] = true;
        }
    }

    function transfer(address to, uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
    }

    /// Sends `amount` to `to`, a holder of the instance `peer` (on any
    /// shard); `gas` bounds the credit on the peer's shard.
    function transferRemote(address peer, address to, uint256 amount, uint64 gas)
        external
        returns (uint256 id)
    {
        balanceOf[msg.sender] -= amount;
        bytes memory call = abi.encodeCall(this.credit, (to, amount));
        (bool ok, bytes memory ret) =
            OUTBOX.call(abi.encodePacked(peer, this.onReply.selector, gas, CALLBACK_GAS, call));
        require(ok, "outbox refused");
        id = abi.decode(ret, (uint256));
        inFlight[id] = Transfer(msg.sender, amount);
        pendingAmount += amount;
        emit Sent(id, msg.sender, to, amount);
    }

    /// Runs on the recipient's shard, called by the relay for a peer.
    function credit(address to, uint256 amount) external {
        require(msg.sender == RELAY && isPeer[origin()], "peers only");
        balanceOf[to] += amount;
    }

    /// The reply to request `id`: settles it, refunding on failure.
    function onReply(uint256 id, uint256 status, bytes calldata) external {
        require(msg.sender == RELAY && origin() == OUTBOX, "replies only");
        Transfer memory t = inFlight[id];
        require(t.from != address(0), "unknown request");
        delete inFlight[id];
        pendingAmount -= t.amount;
        if (status != 0) {
            balanceOf[t.from] += t.amount;
        }
        emit Settled(id, status);
    }

    /// Who the relay calls for: the calldata's last 20 bytes.
    function origin() internal pure returns (address) {
        return address(bytes20(msg.data[msg.data.length - 20:]));
    }
}
