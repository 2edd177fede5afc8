package conformance

// Sections lists the sections in the order the suite runs them (the V1.5
// plan's; see Plan.Sections).
func Sections() []string { return []string{"notify", "security", "delivery", "api", "chaos"} }

// Cases returns every case of the V1.5 plan, in the order a run executes
// them (see Plan.Cases).
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

// Sections lists p's sections in the order the suite runs them.
func (p Plan) Sections() []string {
	if p == PlanComplaints {
		return []string{"accept", "refuse", "once", "api", "chaos"}
	}
	return Sections()
}

// Cases returns every case of p, in the order a run executes them.
func (p Plan) Cases() []Case {
	if p == PlanComplaints {
		var all []Case
		all = append(all, payAcceptCases()...)
		all = append(all, payRefuseCases()...)
		all = append(all, payOnceCases()...)
		all = append(all, payAPICases()...)
		all = append(all, payChaosCase())
		return all
	}
	return Cases()
}
