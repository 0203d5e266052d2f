/*
 * lxc_dl.c - liblxc loaded at run time.
 *
 * isolat must start (and `isolat envs` must say why lxc is not ready) on a
 * board without liblxc, so the library is opened with dlopen() instead of
 * being linked: only its three entry points are looked up here; every
 * other liblxc call goes through the function pointers inside struct
 * lxc_container.  The headers still come from lxc-dev at build time.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "harness/env/lxc/lxc.h"

static struct lxc_api api;
static int loaded; /* 0 not tried, 1 ok, -1 failed */
static char failure[256];

const struct lxc_api *lxc_api_get(char *why, size_t whysz)
{
	void *h;

	if (loaded == 0) {
		h = dlopen("liblxc.so.1", RTLD_NOW | RTLD_LOCAL);
		if (h) {
			*(void **)&api.container_new =
				dlsym(h, "lxc_container_new");
			*(void **)&api.container_put =
				dlsym(h, "lxc_container_put");
			*(void **)&api.get_version = dlsym(h, "lxc_get_version");
		}
		if (h && api.container_new && api.container_put &&
		    api.get_version) {
			loaded = 1;
		} else {
			snprintf(failure, sizeof(failure),
				 "liblxc missing (%s): install it "
				 "(apt-get install lxc)",
				 h ? "symbols not found" : dlerror());
			loaded = -1;
		}
	}
	if (loaded < 0) {
		if (why)
			snprintf(why, whysz, "%s", failure);
		return NULL;
	}
	return &api;
}

struct lxc_container *lxc_new(const char *name, const char *lxcpath)
{
	const struct lxc_api *a = lxc_api_get(NULL, 0);

	return a ? a->container_new(name, lxcpath) : NULL;
}

void lxc_put(struct lxc_container *c)
{
	const struct lxc_api *a = lxc_api_get(NULL, 0);

	if (a && c)
		a->container_put(c);
}

const char *lxc_version(void)
{
	const struct lxc_api *a = lxc_api_get(NULL, 0);

	return a ? a->get_version() : "?";
}
