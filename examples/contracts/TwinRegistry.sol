// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// The public twin registry of dfn-interop: executes a call posted by a
/// private network and records its outcome under the poster and the call's
/// id in the same transaction, so that a certified read of one storage slot
/// proves what happened.
///
/// Records are keyed by `key = keccak256(abi.encode(poster, id))`, the
/// poster being `msg.sender` (the account whose signature the public chain
/// checked): nobody can record an outcome under another network's ids.
///
/// - `outcome[key]` (mapping at slot 0): 1 when the method succeeded, 2
///   when it failed. Twinned methods read this slot.
/// - `result[key]` (mapping at slot 1): keccak256(ok as one byte ‖ return
///   data). Certified calls read this slot and check the return data
///   against it.
///
/// The method runs in a frame of its own (`run`), so a method that fails,
/// or returns more than `MAX_RETURN` bytes, leaves none of its effects:
/// only the record "failed" remains. A call past its `validUntil` block or
/// with an id the poster already recorded reverts entirely and records
/// nothing. The method sees the poster's address appended to its call data
/// (ERC-2771).
contract TwinRegistry {
    uint256 public constant MAX_RETURN = 1024;
    /// Gas held back from the method for the two records and the event.
    uint256 private constant RECORD_GAS = 80_000;

    mapping(bytes32 => uint256) public outcome;
    mapping(bytes32 => bytes32) public result;

    event Executed(address indexed poster, bytes32 indexed id, bool ok, bytes output);

    error Expired(uint256 validUntil, uint256 blockNumber);
    error Duplicate(bytes32 id);
    error OutOfGas();
    error OnlySelf();
    error ReturnTooLong(uint256 length);

    function execute(bytes32 id, address target, bytes calldata data, uint256 validUntil)
        external
        returns (bool ok, bytes memory output)
    {
        if (block.number > validUntil) revert Expired(validUntil, block.number);
        bytes32 key = keccak256(abi.encode(msg.sender, id));
        if (outcome[key] != 0) revert Duplicate(id);
        if (gasleft() < 2 * RECORD_GAS) revert OutOfGas();
        (ok, output) = address(this).call{gas: gasleft() - RECORD_GAS}(
            abi.encodeCall(this.run, (target, data, msg.sender))
        );
        if (ok) {
            output = abi.decode(output, (bytes));
        } else if (output.length > MAX_RETURN) {
            output = "";
        }
        outcome[key] = ok ? 1 : 2;
        result[key] = keccak256(abi.encodePacked(ok, output));
        emit Executed(msg.sender, id, ok, output);
    }

    /// The method itself; only the registry calls it.
    function run(address target, bytes calldata data, address poster) external returns (bytes memory) {
        if (msg.sender != address(this)) revert OnlySelf();
        (bool ok, bytes memory output) = target.call(abi.encodePacked(data, poster));
        if (!ok) {
            assembly {
                revert(add(output, 32), mload(output))
            }
        }
        if (output.length > MAX_RETURN) revert ReturnTooLong(output.length);
        return output;
    }
}
