package database

// The master credentials: the password, the connection URIs and the Secrets Manager document.

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// postgresURI builds a libpq URI that requires TLS, with the credentials URL-encoded.
func postgresURI(user, password, host, dbName pulumi.StringOutput) pulumi.StringOutput {
	return pulumi.All(user, password, host, dbName).ApplyT(func(v []any) string {
		u := url.URL{
			Scheme:   "postgresql",
			User:     url.UserPassword(v[0].(string), v[1].(string)),
			Host:     fmt.Sprintf("%s:%d", v[2], Port),
			Path:     "/" + v[3].(string),
			RawQuery: "sslmode=require",
		}
		return u.String()
	}).(pulumi.StringOutput)
}

// credentialSet is what the credentials step yields.
type credentialSet struct {
	username, dbName, uri, readerURI, secretARN pulumi.StringOutput
}

// credentials builds the connection URIs (the reader's on the first replica, the primary's
// without one) and stores them with the password in a KMS-encrypted secret.
func (f *foundation) credentials(ctx *pulumi.Context, name string, args Args, primary *rds.Instance, replicas readReplicas, data []pulumi.ResourceOption) (credentialSet, error) {
	c := credentialSet{
		username: pulumi.String(args.MasterUsername).ToStringOutput(),
		dbName:   pulumi.String(args.DatabaseName).ToStringOutput(),
	}
	if r := args.ReplicaOf; r != nil {
		c.username, c.dbName = r.Username.ToStringOutput(), r.DatabaseName.ToStringOutput()
	}
	password := f.masterPassword(args)
	c.uri = postgresURI(c.username, password, primary.Address, c.dbName)
	c.readerURI = c.uri
	if args.ReadReplicas > 0 {
		c.readerURI = postgresURI(c.username, password, replicas.addresses[0].ToStringOutput(), c.dbName)
	}
	document := pulumi.All(primary.Address, replicas.addresses, c.username, password, c.dbName, c.uri).ApplyT(func(v []any) (string, error) {
		b, err := json.Marshal(map[string]any{
			"engine": "postgres", "host": v[0], "port": Port, "readerHosts": v[1],
			"username": v[2], "password": v[3], "dbname": v[4], "uri": v[5],
		})
		return string(b), err
	}).(pulumi.StringOutput)
	secret, err := awsbase.NewSecret(ctx, name+"-credentials", awsbase.SecretArgs{
		Description:  "LangGraph PostgreSQL master credentials and connection URI",
		KMSKeyID:     f.key.Arn,
		Document:     document,
		RecoveryDays: 30,
		Tags:         args.Tags,
		Replica:      args.SecretReplica,
	}, data...)
	if err != nil {
		return credentialSet{}, err
	}
	c.secretARN = secret.Arn
	return c, nil
}
