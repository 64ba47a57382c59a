// Compiles the interop example contracts with solc-js (standard JSON input,
// optimizer on, 200 runs) and writes, per contract, the creation bytecode
// (.bin), the runtime bytecode (.bin-runtime), both hex, and the ABI (.abi).
// Usage, from this directory: node compile.js /path/to/node_modules/solc
const fs = require("fs");
const solc = require(process.argv[2] || "solc");

const files = ["StableCoin.sol", "IdentityRegistry.sol", "Arbitration.sol", "TwinRegistry.sol",
  "PrivateTreasury.sol", "PrivateOnboarding.sol"];
const input = {
  language: "Solidity",
  sources: Object.fromEntries(files.map((f) => [f, { content: fs.readFileSync(f, "utf8") }])),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length > 0) {
  errors.forEach((e) => console.error(e.formattedMessage));
  process.exit(1);
}
console.log(solc.version());
for (const file of files) {
  const name = file.replace(".sol", "");
  const c = output.contracts[file][name];
  fs.writeFileSync(`${name}.bin`, c.evm.bytecode.object + "\n");
  fs.writeFileSync(`${name}.bin-runtime`, c.evm.deployedBytecode.object + "\n");
  fs.writeFileSync(`${name}.abi`, JSON.stringify(c.abi) + "\n");
}
