/* seriesrange — per-batch summaries of a series and their sum, the exact
 * pruning of fleet spikes (seriesrange.h says why it is exact). */
#include "seriesrange.h"

bool seriesrange_rate(int64_t t0, int64_t v0, int64_t t1, int64_t v1, double *r)
{
	if (t1 <= t0 || v0 < 0 || v1 < 0 || v1 < v0)
		return false;
	/* as spike_rates: unsigned differences, then one division */
	*r = (double)((uint64_t)v1 - (uint64_t)v0) * 1e6 / (double)((uint64_t)t1 - (uint64_t)t0);
	return true;
}

void seriesrange_of(const struct seriesrange_point *p, size_t n, struct seriesrange *out)
{
	*out = (struct seriesrange){p[0].t, p[n - 1].t, p[0].v, p[n - 1].v, p[0].v, p[0].v,
				    (int64_t)n, 0, 0, 0, true};
	for (size_t i = 1; i < n; i++) {
		double r;

		if (p[i].v < out->vmin)
			out->vmin = p[i].v;
		if (p[i].v > out->vmax)
			out->vmax = p[i].v;
		if (p[i].t == p[i - 1].t)
			out->exact = false;
		if (!seriesrange_rate(p[i - 1].t, p[i - 1].v, p[i].t, p[i].v, &r))
			continue;
		if (!out->rates || r < out->rmin)
			out->rmin = r;
		if (!out->rates || r > out->rmax)
			out->rmax = r;
		out->rates++;
	}
}

void seriesrange_acc_init(struct seriesrange_acc *a)
{
	*a = (struct seriesrange_acc){0};
}

void seriesrange_acc_unsure(struct seriesrange_acc *a)
{
	a->unsure = true;
}

static void add_rate(struct seriesrange_acc *a, double r)
{
	if (!a->any_rate || r < a->rmin)
		a->rmin = r;
	if (!a->any_rate || r > a->rmax)
		a->rmax = r;
	a->any_rate = true;
}

void seriesrange_acc_add(struct seriesrange_acc *a, const struct seriesrange *r)
{
	double rate;

	if (!r->exact || (a->have_last && r->t_first <= a->t_last))
		a->unsure = true;
	if (!a->any || r->vmin < a->vmin)
		a->vmin = r->vmin;
	if (!a->any || r->vmax > a->vmax)
		a->vmax = r->vmax;
	a->any = true;
	if (r->rates) {
		add_rate(a, r->rmin);
		add_rate(a, r->rmax);
	}
	/* the interval between the previous batch's last point and this one's
	 * first: consecutive in the series when batches do not overlap */
	if (a->have_last && seriesrange_rate(a->t_last, a->v_last, r->t_first, r->v_first, &rate))
		add_rate(a, rate);
	a->have_last = true;
	a->t_last = r->t_last;
	a->v_last = r->v_last;
}

bool seriesrange_acc_may_spike(const struct seriesrange_acc *a, double min_rise, bool rate)
{
	/* v <= hi <= lo + min_rise <= m + min_rise <= threshold, each step
	 * monotonic in double arithmetic */
	if (a->unsure)
		return true;
	if (rate)
		return a->any_rate && a->rmax > a->rmin + min_rise;
	return a->any && (double)a->vmax > (double)a->vmin + min_rise;
}
