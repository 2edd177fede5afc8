package conformance

// Sections lists the sections in the order the suite runs them.
func Sections() []string { return []string{"notify", "security", "delivery", "api", "chaos"} }

// Cases returns every case, in the order a run executes them.
func Cases() []Case {
	var all []Case
	all = append(all, notifyCases()...)
	all = append(all, optionalCases()...)
	all = append(all, securityCases()...)
	all = append(all, requiredCases()...)
	all = append(all, deliveryCases()...)
	all = append(all, apiCases()...)
	all = append(all, chaosCases()...)
	return all
}
