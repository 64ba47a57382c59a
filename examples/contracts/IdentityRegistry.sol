// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// An identity registry for dfn's public chain: a name is registered once,
/// by and for its owner; attesters (appointed by the admin) vouch for it,
/// each at most once; anyone looks a name up.
///
/// Calls through the twin registry count as calls from the address it
/// appends to the call data (ERC-2771's trusted forwarder).
contract IdentityRegistry {
    struct Identity {
        address owner;
        uint64 attestations;
    }

    address public immutable admin;
    address public immutable forwarder;
    mapping(bytes32 => Identity) public identities;
    mapping(address => bool) public attesters;
    mapping(bytes32 => mapping(address => bool)) public attested;

    event Registered(bytes32 indexed name, address indexed owner);
    event Attested(bytes32 indexed name, address indexed attester);

    error NameTaken(bytes32 name, address owner);
    error UnknownName(bytes32 name);
    error NotAdmin(address caller);
    error NotAttester(address caller);
    error AlreadyAttested(bytes32 name, address attester);

    constructor(address admin_, address forwarder_) {
        admin = admin_;
        forwarder = forwarder_;
    }

    function _sender() internal view returns (address) {
        if (msg.sender == forwarder && msg.data.length >= 24) {
            return address(bytes20(msg.data[msg.data.length - 20:]));
        }
        return msg.sender;
    }

    function setAttester(address attester, bool allowed) external {
        if (_sender() != admin) revert NotAdmin(_sender());
        attesters[attester] = allowed;
    }

    function register(bytes32 name) external returns (bool) {
        address owner = identities[name].owner;
        if (owner != address(0)) revert NameTaken(name, owner);
        identities[name].owner = _sender();
        emit Registered(name, _sender());
        return true;
    }

    function attest(bytes32 name) external returns (uint64) {
        address attester = _sender();
        if (!attesters[attester]) revert NotAttester(attester);
        Identity storage id = identities[name];
        if (id.owner == address(0)) revert UnknownName(name);
        if (attested[name][attester]) revert AlreadyAttested(name, attester);
        attested[name][attester] = true;
        id.attestations += 1;
        emit Attested(name, attester);
        return id.attestations;
    }

    /// The owner (zero when unregistered) and the number of attestations.
    function lookup(bytes32 name) external view returns (address owner, uint64 attestations) {
        Identity storage id = identities[name];
        return (id.owner, id.attestations);
    }
}
