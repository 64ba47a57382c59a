// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

interface IStableCoin {
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function transfer(address to, uint256 amount) external returns (bool);
}

/// Arbitration for dfn's public chain: a claimant opens a dispute against
/// a respondent, naming an arbiter and escrowing an amount of the stable
/// coin (approved to this contract beforehand); the arbiter rules once,
/// and the escrow goes to the side the ruling favours.
///
/// Calls through the twin registry count as calls from the address it
/// appends to the call data (ERC-2771's trusted forwarder).
contract Arbitration {
    enum State { None, Open, ForClaimant, ForRespondent }

    struct Dispute {
        address claimant;
        address respondent;
        address arbiter;
        uint256 amount;
        State state;
    }

    IStableCoin public immutable coin;
    address public immutable forwarder;
    uint256 public disputes;
    mapping(uint256 => Dispute) public dispute;

    event Opened(uint256 indexed id, address indexed claimant, address indexed respondent, uint256 amount);
    event Ruled(uint256 indexed id, bool forClaimant);

    error NotArbiter(uint256 id, address caller);
    error NotOpen(uint256 id);

    constructor(IStableCoin coin_, address forwarder_) {
        coin = coin_;
        forwarder = forwarder_;
    }

    function _sender() internal view returns (address) {
        if (msg.sender == forwarder && msg.data.length >= 24) {
            return address(bytes20(msg.data[msg.data.length - 20:]));
        }
        return msg.sender;
    }

    /// Opens a dispute and takes the escrow; returns its id (from 1).
    function open(address respondent, address arbiter, uint256 amount) external returns (uint256 id) {
        address claimant = _sender();
        id = ++disputes;
        dispute[id] = Dispute(claimant, respondent, arbiter, amount, State.Open);
        // Reverts (and with it the whole dispute) when the escrow cannot be taken.
        require(coin.transferFrom(claimant, address(this), amount));
        emit Opened(id, claimant, respondent, amount);
    }

    /// The arbiter's ruling: releases the escrow to the side it favours.
    function rule(uint256 id, bool forClaimant) external returns (bool) {
        Dispute storage d = dispute[id];
        if (d.state != State.Open) revert NotOpen(id);
        if (_sender() != d.arbiter) revert NotArbiter(id, _sender());
        d.state = forClaimant ? State.ForClaimant : State.ForRespondent;
        require(coin.transfer(forClaimant ? d.claimant : d.respondent, d.amount));
        emit Ruled(id, forClaimant);
        return true;
    }
}
