package scheduler

import (
	"log/slog"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/cores"
)

// IntegrationCPUs are the CPUs integration imports are pinned to
// (ExecRunner.CPUs): the efficiency cores of a hybrid CPU when
// exclude_efficiency_cores is set, so imports leave the performance cores to
// shaping (as upstream). nil = run unpinned. sysfs is the root of the CPU
// tree (cores.DefaultRoot).
func IntegrationCPUs(cfg *config.Config, sysfs string, log *slog.Logger) []int {
	if !cfg.ExcludeEfficiencyCores {
		return nil
	}
	s, err := cores.Detect(sysfs)
	if err != nil {
		log.Error("Failed to determine efficiency cores for integrations; running them unpinned", "err", err)
		return nil
	}
	if !s.Hybrid() {
		return nil
	}
	log.Info("integrations pinned to efficiency cores", "cpus", s.Efficiency, "detected_by", s.Method)
	return s.Efficiency
}
