// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

interface IStableCoin {
    function transfer(address to, uint256 amount) external returns (bool);
}

/// A private network's treasury (dfn-interop): pays out of the network's
/// public stable-coin account by a certified call, and books a payment only
/// when the public transfer is certified.
///
/// The private chain's gateway (`0x…dF10`) takes the call: `destination
/// (20 bytes) ‖ callback selector (4) ‖ callback gas (8) ‖ valid until (8,
/// a public height) ‖ calldata`, and returns the request id. Its log is the
/// request, so a reverted `pay` sends nothing. The answer comes back as a
/// call from the delivery account (`0x…dF11`) to `onResult(id, status,
/// data)`: status 0 the transfer ran (data its return value), 1 it
/// reverted, 2 it expired unexecuted.
///
/// Twinned: `pay` moves the amount from `available` to `locked` at once;
/// `onResult` moves it to `paid` on a certified success, back to
/// `available` otherwise. At rest `available + locked + paid` is the
/// opening balance and `locked` is zero.
contract PrivateTreasury {
    address constant GATEWAY = address(uint160(0xdF10));
    address constant DELIVERY = address(uint160(0xdF11));
    uint64 constant CALLBACK_GAS = 200_000;

    uint8 constant PENDING = 1;
    uint8 constant PAID = 2;
    uint8 constant RELEASED = 3;

    struct Payment {
        address to;
        uint8 state;
        uint256 amount;
    }

    address public immutable coin;
    address public immutable treasurer;
    uint256 public available; // slot 0
    uint256 public locked; // slot 1
    uint256 public paid; // slot 2
    mapping(uint256 => Payment) public payments; // slot 3, by request id

    event Requested(uint256 indexed id, address to, uint256 amount);
    event Settled(uint256 indexed id, uint8 state);

    error NotTreasurer(address caller);
    error NotDelivery(address caller);
    error Insufficient(uint256 available, uint256 needed);
    error GatewayRefused();
    error NotPending(uint256 id);

    constructor(address coin_, address treasurer_, uint256 opening) {
        coin = coin_;
        treasurer = treasurer_;
        available = opening;
    }

    /// Pays `amount` public coins to `to` if the transfer runs on the public
    /// chain by height `validUntil`.
    function pay(address to, uint256 amount, uint64 validUntil) external returns (uint256 id) {
        if (msg.sender != treasurer) revert NotTreasurer(msg.sender);
        if (amount > available) revert Insufficient(available, amount);
        available -= amount;
        locked += amount;
        (bool ok, bytes memory ret) = GATEWAY.call(
            abi.encodePacked(
                coin,
                this.onResult.selector,
                CALLBACK_GAS,
                validUntil,
                abi.encodeCall(IStableCoin.transfer, (to, amount))
            )
        );
        if (!ok) revert GatewayRefused();
        id = abi.decode(ret, (uint256));
        payments[id] = Payment(to, PENDING, amount);
        emit Requested(id, to, amount);
    }

    /// The certified answer to request `id`.
    function onResult(uint256 id, uint256 status, bytes calldata data) external {
        if (msg.sender != DELIVERY) revert NotDelivery(msg.sender);
        Payment storage p = payments[id];
        if (p.state != PENDING) revert NotPending(id);
        locked -= p.amount;
        if (status == 0 && data.length == 32 && abi.decode(data, (bool))) {
            p.state = PAID;
            paid += p.amount;
        } else {
            p.state = RELEASED;
            available += p.amount;
        }
        emit Settled(id, p.state);
    }
}
