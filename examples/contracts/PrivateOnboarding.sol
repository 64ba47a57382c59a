// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

interface IIdentityRegistry {
    function register(bytes32 name) external;
    function lookup(bytes32 name) external view returns (address owner, uint256 attestations);
}

/// A private network's onboarding desk (dfn-interop): claims names for the
/// network in the public identity registry and looks names up there, each
/// by a certified call through the private chain's gateway (`0x…dF10`; the
/// layout is in `PrivateTreasury.sol`). Answers come from the delivery
/// account (`0x…dF11`) to `onResult(id, status, data)`.
///
/// Twinned: a claim is recorded as the network's (`claimed[name]`) only on
/// a certified success of the public `register`; a lookup's owner and
/// attestations are recorded only from a certified result.
contract PrivateOnboarding {
    address constant GATEWAY = address(uint160(0xdF10));
    address constant DELIVERY = address(uint160(0xdF11));
    uint64 constant CALLBACK_GAS = 200_000;

    uint8 constant CLAIM = 1;
    uint8 constant LOOKUP = 2;

    struct Request {
        bytes32 name;
        uint8 kind;
    }

    address public immutable identity;
    address public immutable officer;
    mapping(uint256 => Request) public requests; // slot 0, by request id
    mapping(bytes32 => bool) public claimed; // slot 1
    mapping(bytes32 => address) public owner; // slot 2
    mapping(bytes32 => uint256) public attestations; // slot 3
    /// 1 + the status of each answered request (0: unanswered).
    mapping(uint256 => uint256) public answered; // slot 4

    error NotOfficer(address caller);
    error NotDelivery(address caller);
    error GatewayRefused();
    error NotPending(uint256 id);

    constructor(address identity_, address officer_) {
        identity = identity_;
        officer = officer_;
    }

    /// Registers `name` for the network's public account.
    function claim(bytes32 name, uint64 validUntil) external returns (uint256 id) {
        id = _request(abi.encodeCall(IIdentityRegistry.register, (name)), validUntil);
        requests[id] = Request(name, CLAIM);
    }

    /// Looks `name` up in the public registry.
    function check(bytes32 name, uint64 validUntil) external returns (uint256 id) {
        id = _request(abi.encodeCall(IIdentityRegistry.lookup, (name)), validUntil);
        requests[id] = Request(name, LOOKUP);
    }

    function _request(bytes memory call, uint64 validUntil) internal returns (uint256) {
        if (msg.sender != officer) revert NotOfficer(msg.sender);
        (bool ok, bytes memory ret) =
            GATEWAY.call(abi.encodePacked(identity, this.onResult.selector, CALLBACK_GAS, validUntil, call));
        if (!ok) revert GatewayRefused();
        return abi.decode(ret, (uint256));
    }

    /// The certified answer to request `id`.
    function onResult(uint256 id, uint256 status, bytes calldata data) external {
        if (msg.sender != DELIVERY) revert NotDelivery(msg.sender);
        Request memory r = requests[id];
        if (r.kind == 0) revert NotPending(id);
        delete requests[id];
        answered[id] = status + 1;
        if (status != 0) return;
        if (r.kind == CLAIM) {
            claimed[r.name] = true;
        } else if (data.length == 64) {
            (address who, uint256 count) = abi.decode(data, (address, uint256));
            owner[r.name] = who;
            attestations[r.name] = count;
        }
    }
}
