// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// The seed's MetaCoin example ("Code business logic not systems"), written
/// for current Solidity: a coin whose deployer starts with 10,000 units and
/// whose holders send units to anyone. A send that exceeds the sender's
/// balance returns false and changes nothing.
contract MetaCoin {
    mapping(address => uint256) private balances;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor() {
        balances[msg.sender] = 10_000;
    }

    function sendCoin(address receiver, uint256 amount) external returns (bool sufficient) {
        uint256 held = balances[msg.sender];
        if (held < amount) {
            return false;
        }
        unchecked {
            balances[msg.sender] = held - amount;
        }
        balances[receiver] += amount;
        emit Transfer(msg.sender, receiver, amount);
        return true;
    }

    function getBalance(address holder) public view returns (uint256) {
        return balances[holder];
    }

    /// The balance priced at a fixed 2 wei per unit, as in the original.
    function getBalanceInEth(address holder) external view returns (uint256) {
        return getBalance(holder) * 2;
    }
}
