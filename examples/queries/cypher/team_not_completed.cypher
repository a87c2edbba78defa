// The team of one manager ($manager, a person's _key) that has not completed its training:
// the people who report to that person and hold, through any of their users, an ASSIGNED
// enrollment whose status is neither Passed nor Completed.
MATCH (:employee {_key: $manager})<-[:REPORTS_TO]-(p:employee)<-[:`IS`]-(:knowbe4_user)<-[a:ASSIGNED]-(:training_module)
WHERE NOT a.status IN ['Passed', 'Completed']
RETURN DISTINCT p._key AS person
ORDER BY person;
