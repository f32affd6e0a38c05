// Package apply is the one path from the input files to the kernel, shared by
// lqosd, lqos_scheduler and libreqos:
//
//	Validate  load every input and check it as the planner would (the web UI's
//	          editors and `libreqos validate` call it)
//	Refresh   under the apply lock: validate -> plan -> record -> apply ->
//	          roll back on failure (each step is internal/shaper's Engine)
//	Applier   for programs other than lqosd: hand the apply to lqosd when it
//	          runs (it owns the kernel state and the data path maps), else
//	          take the apply lock and Refresh in this process
//
// One rule for the apply lock holds for every program (see LockWait): an apply
// someone asked for waits for the running one, up to LockWait; lqosd's own
// background work (its start-up apply, drift checks, lazy queues) does not
// wait.
package apply
