import { runAssignmentBench } from './bench/assignment-bench.js';
const r = await runAssignmentBench({ quick: true });
console.log(r.medianUs, r.p99Us);
