// Command decode is verify's peer in testdata/bench/verify.sh: it reads a
// users file (Get-JCUser | ConvertTo-Json) whole and decodes it with
// encoding/json into a struct of the fields verify compares, the floor
// a plain Go program sets for that work.
//
//	go run ./testdata/bench/decode users.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

type user struct {
	ID                          string  `json:"_id"`
	Username                    string  `json:"username"`
	Email                       string  `json:"email"`
	Firstname                   string  `json:"firstname"`
	Middlename                  string  `json:"middlename"`
	Lastname                    string  `json:"lastname"`
	Displayname                 string  `json:"displayname"`
	AlternateEmail              *string `json:"alternateEmail"`
	Company                     string  `json:"company"`
	CostCenter                  string  `json:"costCenter"`
	Department                  string  `json:"department"`
	Description                 string  `json:"description"`
	EmployeeIdentifier          *string `json:"employeeIdentifier"`
	EmployeeType                string  `json:"employeeType"`
	JobTitle                    string  `json:"jobTitle"`
	Location                    string  `json:"location"`
	ManagedAppleID              string  `json:"managedAppleId"`
	Manager                     *string `json:"manager"`
	State                       string  `json:"state"`
	Organization                string  `json:"organization"`
	AccountLocked               bool    `json:"account_locked"`
	AllowPublicKey              bool    `json:"allow_public_key"`
	EnableManagedUID            bool    `json:"enable_managed_uid"`
	EnableUserPortalMultifactor bool    `json:"enable_user_portal_multifactor"`
	LdapBindingUser             bool    `json:"ldap_binding_user"`
	PasswordNeverExpires        bool    `json:"password_never_expires"`
	PasswordlessSudo            bool    `json:"passwordless_sudo"`
	SambaServiceUser            bool    `json:"samba_service_user"`
	Sudo                        bool    `json:"sudo"`
	Suspended                   bool    `json:"suspended"`
	UnixGUID                    int     `json:"unix_guid"`
	UnixUID                     int     `json:"unix_uid"`
	RecoveryEmail               struct {
		Address string `json:"address"`
	} `json:"recoveryEmail"`
	Attributes []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"attributes"`
	Addresses []struct {
		Type, StreetAddress, Locality, Region, PostalCode, Country, PoBox, ExtendedAddress string
	} `json:"addresses"`
	PhoneNumbers []struct {
		Type   string `json:"type"`
		Number string `json:"number"`
	} `json:"phoneNumbers"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: decode users.json")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var users []user
	if err := json.Unmarshal(b, &users); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(len(users), "users")
}
