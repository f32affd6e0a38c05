package webui_test

import "github.com/libreqos-go/lqos/internal/webui"

func webuiIssue(code string, clearable bool) webui.UrgentIssue {
	return webui.UrgentIssue{Source: "System", Severity: "Error", Code: code, Message: "test issue", Clearable: clearable}
}
