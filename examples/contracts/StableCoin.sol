// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// A stable coin for dfn's public chain: ERC-20 balances and allowances,
/// minted and burned only by its issuer (who backs each unit off chain).
///
/// Private networks reach it through the twin registry, which calls on
/// their behalf and appends the caller's address to the call data (the
/// trusted-forwarder convention of ERC-2771): a call from the registry is
/// taken as a call from that appended address, so a private network spends
/// the coins of its own public account and nobody else's.
contract StableCoin {
    string public constant name = "dfn stable coin";
    string public constant symbol = "DUSD";
    uint8 public constant decimals = 6;

    address public immutable issuer;
    address public immutable forwarder;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error NotIssuer(address caller);
    error InsufficientBalance(address holder, uint256 balance, uint256 needed);
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    constructor(address issuer_, address forwarder_) {
        issuer = issuer_;
        forwarder = forwarder_;
    }

    /// The caller, or the address the trusted forwarder appended.
    function _sender() internal view returns (address s) {
        if (msg.sender == forwarder && msg.data.length >= 24) {
            return address(bytes20(msg.data[msg.data.length - 20:]));
        }
        return msg.sender;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(_sender(), to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        address owner = _sender();
        allowance[owner][spender] = amount;
        emit Approval(owner, spender, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        address spender = _sender();
        uint256 allowed = allowance[from][spender];
        if (allowed < amount) revert InsufficientAllowance(spender, allowed, amount);
        if (allowed != type(uint256).max) {
            allowance[from][spender] = allowed - amount;
        }
        _move(from, to, amount);
        return true;
    }

    function mint(address to, uint256 amount) external {
        if (_sender() != issuer) revert NotIssuer(_sender());
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function burn(address from, uint256 amount) external {
        if (_sender() != issuer) revert NotIssuer(_sender());
        uint256 held = balanceOf[from];
        if (held < amount) revert InsufficientBalance(from, held, amount);
        unchecked {
            balanceOf[from] = held - amount;
            totalSupply -= amount;
        }
        emit Transfer(from, address(0), amount);
    }

    function _move(address from, address to, uint256 amount) internal {
        uint256 held = balanceOf[from];
        if (held < amount) revert InsufficientBalance(from, held, amount);
        unchecked {
            balanceOf[from] = held - amount;
        }
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
