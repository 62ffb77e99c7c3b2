/*
 * schemacheck: validate a JSON document (stdin) against one of the schemas
 * in docs/schema/, a small subset of JSON Schema: type (one or a list),
 * properties, required, additionalProperties (false), items, enum,
 * minimum.  Prints the path of the first violation and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static int	 check(json_t *, json_t *, const char *);

static int
fail(const char *path, const char *what)
{
	fprintf(stderr, "schemacheck: %s: %s\n", *path ? path : "(root)",
	    what);
	return -1;
}

static int
type_is(json_t *v, const char *t)
{
	if (strcmp(t, "object") == 0)
		return json_is_object(v);
	if (strcmp(t, "array") == 0)
		return json_is_array(v);
	if (strcmp(t, "string") == 0)
		return json_is_string(v);
	if (strcmp(t, "integer") == 0)
		return json_is_integer(v);
	if (strcmp(t, "number") == 0)
		return json_is_number(v);
	if (strcmp(t, "boolean") == 0)
		return json_is_boolean(v);
	if (strcmp(t, "null") == 0)
		return json_is_null(v);
	return 0;
}

static int
check_type(json_t *v, json_t *type, const char *path)
{
	json_t	*t;
	size_t	 i;

	if (type == NULL)
		return 0;
	if (json_is_string(type))
		return type_is(v, json_string_value(type)) ? 0 :
		    fail(path, "wrong type");
	json_array_foreach(type, i, t)
		if (type_is(v, json_string_value(t)))
			return 0;
	return fail(path, "wrong type");
}

static int
check(json_t *v, json_t *schema, const char *path)
{
	json_t		*props, *req, *items, *e, *sub;
	const char	*key;
	char		 sub_path[512];
	size_t		 i;

	if (check_type(v, json_object_get(schema, "type"), path) == -1)
		return -1;
	if ((e = json_object_get(schema, "enum")) != NULL) {
		json_array_foreach(e, i, sub)
			if (json_equal(v, sub))
				break;
		if (i == json_array_size(e))
			return fail(path, "value not in enum");
	}
	if ((e = json_object_get(schema, "minimum")) != NULL &&
	    json_is_number(v) && json_number_value(v) < json_number_value(e))
		return fail(path, "below minimum");
	if (json_is_object(v)) {
		props = json_object_get(schema, "properties");
		req = json_object_get(schema, "required");
		json_array_foreach(req, i, e)
			if (json_object_get(v, json_string_value(e)) == NULL) {
				snprintf(sub_path, sizeof(sub_path), "%s.%s",
				    path, json_string_value(e));
				return fail(sub_path, "required key missing");
			}
		json_object_foreach(v, key, sub) {
			snprintf(sub_path, sizeof(sub_path), "%s.%s", path, key);
			e = json_object_get(props, key);
			if (e == NULL && json_is_false(json_object_get(schema,
			    "additionalProperties")))
				return fail(sub_path, "key not in schema");
			if (e != NULL && check(sub, e, sub_path) == -1)
				return -1;
		}
	}
	if (json_is_array(v) && (items = json_object_get(schema, "items"))) {
		json_array_foreach(v, i, sub) {
			snprintf(sub_path, sizeof(sub_path), "%s[%zu]", path, i);
			if (check(sub, items, sub_path) == -1)
				return -1;
		}
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	json_error_t	 err;
	json_t		*schema, *doc;
	int		 rv;

	if (argc != 2) {
		fprintf(stderr, "usage: schemacheck schema.json < doc.json\n");
		return 2;
	}
	if ((schema = json_load_file(argv[1], 0, &err)) == NULL) {
		fprintf(stderr, "schemacheck: %s:%d: %s\n", argv[1], err.line,
		    err.text);
		return 2;
	}
	if ((doc = json_loadf(stdin, 0, &err)) == NULL) {
		fprintf(stderr, "schemacheck: stdin:%d: %s\n", err.line,
		    err.text);
		json_decref(schema);
		return 1;
	}
	rv = check(doc, schema, "") == 0 ? 0 : 1;
	json_decref(doc);
	json_decref(schema);
	return rv;
}
