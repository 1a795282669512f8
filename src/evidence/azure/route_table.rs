//! Route tables (`az network route-table list`, ARM).

use serde::{Deserialize, Serialize};

use super::ResourceInfo;
use super::sub_resources::{name_or_position, parts, reference_ids, settings_of};
use crate::evidence::arm::ArmResource;
use crate::evidence::node::Node;
use crate::evidence::{Field, ImportContext, ImportError};

/// A route table (`Microsoft.Network/routeTables`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    /// Identity and location in the file.
    pub info: ResourceInfo,
    /// `routes`.
    pub routes: Field<Vec<Route>>,
    /// `subnets[].id`: the subnets that use the table, as the table states
    /// them (templates state the association on the subnet instead).
    pub subnet_ids: Vec<String>,
    /// `disableBgpRoutePropagation`.
    pub disable_bgp_route_propagation: Field<bool>,
}

/// One route of a route table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// The route's name (or its position).
    pub name: String,
    /// Where the route is in the file.
    pub pointer: String,
    /// `addressPrefix`, e.g. `0.0.0.0/0`.
    pub address_prefix: Field<String>,
    /// `nextHopType`: VirtualAppliance, Internet, VnetLocal, VirtualNetworkGateway or None.
    pub next_hop_type: Field<String>,
    /// `nextHopIpAddress`, for VirtualAppliance routes.
    pub next_hop_ip: Field<String>,
}

/// Reads a route table into `out`.
pub(super) fn read(
    ctx: ImportContext<'_>,
    resource: &ArmResource<'_>,
    out: &mut Vec<RouteTable>,
) -> Result<(), ImportError> {
    let props = resource.props();
    out.push(RouteTable {
        info: ResourceInfo::of(ctx, resource),
        routes: parts(resource, "routes", read_route),
        subnet_ids: reference_ids(&props, "subnets"),
        disable_bgp_route_propagation: props.bool_field("disableBgpRoutePropagation"),
    });
    Ok(())
}

fn read_route(route: &Node<'_>, index: usize) -> Route {
    let settings = settings_of(route);
    Route {
        name: name_or_position(route, "route", index),
        pointer: route.pointer().to_owned(),
        address_prefix: settings.string_field("addressPrefix"),
        next_hop_type: settings.string_field("nextHopType"),
        next_hop_ip: settings.string_field("nextHopIpAddress"),
    }
}
